using System.Security.Cryptography;
using System.Text;
using Dstack.Kms.Embedding;
using Microsoft.Extensions.Logging;

namespace Dstack.LocalStack;

/// <summary>
/// The in-process KMS is a dstack app of its own: its simulated TD is booted once as the KMS app (the runtime events a
/// dstack boot emits, never twice), and its identity is then computed from that real TD by the KMS itself
/// (<see cref="KmsEmbedded.IdentifyAsync"/>, the computation of self-authorization), so that the policy file the stack
/// writes allows exactly this KMS.
/// </summary>
internal static class LocalKmsIdentity
{
    /// <summary>The compose the local KMS app is measured with.</summary>
    public const string KmsCompose = "dstack-local kms";

    /// <summary>The app id of the local KMS (the first 20 bytes of the compose hash, as for a VM without a pinned id).</summary>
    public static byte[] AppId => SHA256.HashData(Encoding.UTF8.GetBytes(KmsCompose))[..20];

    /// <summary>Boots the KMS TD of <paramref name="kmsConfiguration"/> if it is new and returns the KMS's identity.</summary>
    /// <exception cref="LocalStackException">The KMS configuration is invalid or its TD's attestation does not verify.</exception>
    public static async Task<KmsEmbeddedIdentity> PrepareAsync(IReadOnlyDictionary<string, string?> kmsConfiguration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kmsConfiguration);
        if (kmsConfiguration.TryGetValue("Tdx:Mode", out var mode) && string.Equals(mode, "simulated", StringComparison.OrdinalIgnoreCase)
            && kmsConfiguration.TryGetValue("Tdx:StateDirectory", out var stateDirectory) && stateDirectory is { Length: > 0 })
        {
            await KmsEmbedded.MeasureSimulatedTdAsync(stateDirectory, KmsCompose, cancellationToken).ConfigureAwait(false);
        }

        using var error = new StringWriter();
        var identity = await KmsEmbedded.IdentifyAsync(new KmsEmbeddedSettings
        {
            Configuration = kmsConfiguration,
            Error = error,
            ConfigureLogging = logging => logging.ClearProviders(),
        }, cancellationToken).ConfigureAwait(false);
        if (identity is not null)
        {
            return identity;
        }

        // the KMS's own lines (an invalid configuration is exit code 2, as for dstack-kms run)
        var text = error.ToString().TrimEnd();
        throw new LocalStackException(text) { ExitCode = text.Contains("invalid configuration:", StringComparison.Ordinal) ? 2 : 1 };
    }
}
