using Dstack.Attestation.Formats;

namespace Dstack.Kms.Authentication;

/// <summary>A caller whose attestation verified: its <see cref="BootInfo"/> and the attestation it presented.</summary>
/// <param name="BootInfo">The identity the policy decides on and keys are derived from.</param>
/// <param name="Attestation">The decoded attestation.</param>
/// <param name="EncodedAttestation">The attestation bytes as presented (embedded into SignCert leaves on request).</param>
internal sealed record AuthenticatedCaller(BootInfo BootInfo, VersionedAttestation Attestation, byte[] EncodedAttestation)
{
    /// <summary>The app-info certificate extension of the caller, decoded from its attestation (device id SHA-256 of nothing, as dstack's).</summary>
    public required byte[] AppInfoExtension { get; init; }
}
