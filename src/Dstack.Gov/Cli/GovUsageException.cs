namespace Dstack.Gov.Cli;

/// <summary>A command-line argument is missing or malformed; the message names the argument and says why (exit code 2).</summary>
internal sealed class GovUsageException(string message) : Exception(message);
