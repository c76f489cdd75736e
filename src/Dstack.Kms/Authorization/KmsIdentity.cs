using Dstack.Attestation.Formats;
using Dstack.Kms.Authentication;
using Dstack.Kms.Keys;
using Dstack.Kms.Service;

namespace Dstack.Kms.Authorization;

/// <summary>
/// This KMS's own identity: its TD attested with 64 zero bytes of report data and verified exactly as a caller's
/// attestation is (<see cref="CallerAuthenticator"/>: quote under the configured trust root, debug attribute, event
/// replay, app id, device id), with this instance's <c>vm_config</c> (<c>Onboarding:VmConfig</c>, on a simulated TD by default the one of the OS
/// image it boots) for the OS image.
/// Self-authorization and <c>dstack-kms identity</c> both use it; it needs no policy.
/// </summary>
internal sealed class KmsIdentity
{
    private static readonly byte[] ZeroReportData = new byte[64];
    private readonly IKmsAttestationSource _source;
    private readonly CallerAuthenticator _authenticator;
    private readonly string _vmConfig;

    /// <summary>Creates the identity source.</summary>
    /// <param name="source">Attests the KMS's own TD.</param>
    /// <param name="authenticator">The verification every caller's attestation gets.</param>
    /// <param name="vmConfig">This instance's <c>vm_config</c> JSON; empty = none (no OS image hash).</param>
    public KmsIdentity(IKmsAttestationSource source, CallerAuthenticator authenticator, string vmConfig)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(authenticator);
        _source = source;
        _authenticator = authenticator;
        _vmConfig = vmConfig ?? string.Empty;
    }

    /// <summary>This instance's <c>vm_config</c> JSON (empty when none): what it claims as its OS image, also to a source KMS.</summary>
    public string VmConfig => _vmConfig;

    /// <summary>
    /// The verified identity (<see cref="AuthenticatedCaller.BootInfo"/>), or why there is none:
    /// <see cref="KmsRefusalKind.BackendUnavailable"/> when the TD could not be attested at all, else the verification's refusal.
    /// </summary>
    public async Task<KmsResult<AuthenticatedCaller>> IdentifyAsync(CancellationToken cancellationToken)
    {
        byte[] encoded;
        try
        {
            var attestation = await _source.AttestAsync(ZeroReportData, cancellationToken).ConfigureAwait(false);
            encoded = AttestationCodec.EncodeV0(attestation);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return KmsResult<AuthenticatedCaller>.Refused(KmsRefusalKind.BackendUnavailable, "its own TD cannot be attested: " + ex.Message);
        }

        var self = await _authenticator.AuthenticateAttestationAsync(encoded, ZeroReportData, _vmConfig, bootTime: false, cancellationToken).ConfigureAwait(false);
        return self.IsSuccess
            ? self
            : KmsResult<AuthenticatedCaller>.Refused(self.Refusal.Kind, "its own attestation does not verify: " + self.Refusal.Reason);
    }
}
