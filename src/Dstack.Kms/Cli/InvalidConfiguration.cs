using Microsoft.Extensions.Options;

namespace Dstack.Kms.Cli;

/// <summary>How every verb reports a configuration that does not validate: a heading, then one line per problem.</summary>
internal static class InvalidConfiguration
{
    /// <summary>The exit code of an invalid configuration.</summary>
    public const int ExitCode = 2;

    /// <summary>Writes the failures of <paramref name="exception"/> to <paramref name="error"/>; returns <see cref="ExitCode"/>.</summary>
    public static async Task<int> ReportAsync(TextWriter error, OptionsValidationException exception)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(exception);
        await error.WriteLineAsync("dstack-kms: invalid configuration:").ConfigureAwait(false);
        foreach (var failure in exception.Failures)
        {
            await error.WriteLineAsync("  - " + failure).ConfigureAwait(false);
        }

        return ExitCode;
    }
}
