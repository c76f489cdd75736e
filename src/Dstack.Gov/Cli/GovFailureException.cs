namespace Dstack.Gov.Cli;

/// <summary>The verb could not do its job for a reason outside the arguments (wrong chain, unreadable agent); exit code 1.</summary>
internal sealed class GovFailureException(string message) : Exception(message);
