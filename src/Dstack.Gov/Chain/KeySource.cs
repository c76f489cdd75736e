using Dstack.Ethereum.Transactions;
using Dstack.Gov.Cli;

namespace Dstack.Gov.Chain;

/// <summary>
/// Where a transaction key comes from: a key file or the <see cref="EnvironmentVariable"/> environment variable, never a
/// command-line argument (which other users can read in the process list and which lands in shell history).
/// </summary>
internal static class KeySource
{
    /// <summary>The environment variable holding the private key as hex.</summary>
    public const string EnvironmentVariable = "DSTACK_GOV_PRIVATE_KEY";

    /// <summary>Loads the signer; the key text is never echoed, not even in errors.</summary>
    /// <param name="keyFile">The <c>--key-file</c> path, or null.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="warnings">Receives warnings (for example a key file other users can read).</param>
    /// <returns>The signer.</returns>
    public static Signer Load(string? keyFile, Func<string, string?> environment, TextWriter warnings)
    {
        string text;
        string origin;
        if (!string.IsNullOrEmpty(keyFile))
        {
            origin = $"--key-file '{keyFile}'";
            try
            {
                text = File.ReadAllText(keyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new GovUsageException($"{origin}: cannot read the key file: {e.Message}");
            }

            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(keyFile) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
            {
                warnings.WriteLine($"warning: {origin} is readable by other users (chmod 600 it)");
            }
        }
        else if (environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            origin = "$" + EnvironmentVariable;
            text = fromEnvironment;
        }
        else
        {
            throw new GovUsageException($"no transaction key: pass --key-file FILE or set {EnvironmentVariable} (keys are never taken from the command line)");
        }

        try
        {
            return Signer.FromHex(text);
        }
        catch (ArgumentException)
        {
            throw new GovUsageException($"{origin}: not a secp256k1 private key (expected 64 hex digits, optionally after 0x)");
        }
    }
}
