using System.Text;
using Dstack.Agent.Configuration;
using Dstack.Attestation.Storage;
using Dstack.Crypto.EnvEncryption;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Boot;

/// <summary>
/// The encrypted environment (tdx-boot §4.7): when the KMS gave an env key and the host supplied a non-empty
/// <c>.encrypted-env</c>, decrypt it, keep only the <c>allowed_envs</c> (dropped names are logged, never values), and
/// write <c>.decrypted-env</c> and <c>.decrypted-env.json</c> (mode 0600); both are written, empty, otherwise too.
/// </summary>
internal static class EnvironmentStep
{
    /// <summary>Step name used in errors.</summary>
    public const string Step = "decrypt env";

    /// <summary>Runs the step; returns the number of variables written.</summary>
    public static async Task<int> RunAsync(FilesOptions files, ReadOnlyMemory<byte> envCryptKey, IReadOnlyList<string> allowedEnvs, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        byte[] blob = [];
        try
        {
            var info = new FileInfo(files.EncryptedEnv);
            if (info.Exists)
            {
                blob = info.Length <= 256 * 1024
                    ? await File.ReadAllBytesAsync(files.EncryptedEnv, cancellationToken).ConfigureAwait(false)
                    : throw new BootException(Step, $"{files.EncryptedEnv} is larger than 256 KiB");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BootException(Step, $"cannot read {files.EncryptedEnv}: {ex.Message}", ex);
        }

        SortedDictionary<string, string> kept = new(StringComparer.Ordinal);
        if (blob.Length > 0 && envCryptKey.Length > 0)
        {
            try
            {
                var plaintext = EnvCipher.Decrypt(envCryptKey.Span, blob);
                kept = EnvDocument.Filter(EnvDocument.Parse(plaintext), allowedEnvs, out var skipped);
                if (skipped.Count > 0)
                {
                    BootLog.EnvDropped(logger, string.Join(", ", skipped.Distinct(StringComparer.Ordinal)));
                }
            }
            catch (EnvEncryptionException ex)
            {
                throw new BootException(Step, $"{files.EncryptedEnv}: {ex.Message}", ex);
            }
        }

        try
        {
            await SecureFile.WriteAsync(files.DecryptedEnv, Encoding.UTF8.GetBytes(EnvDocument.ToDotEnv(kept)), cancellationToken).ConfigureAwait(false);
            await SecureFile.WriteAsync(files.DecryptedEnvJson, EnvDocument.ToJsonObject(kept), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BootException(Step, $"cannot write the decrypted env: {ex.Message}", ex);
        }

        BootLog.EnvWritten(logger, kept.Count);
        return kept.Count;
    }
}
