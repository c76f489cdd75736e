using Dstack.Attestation.Formats;

namespace Dstack.Kms.Keys;

/// <summary>Produces attestations of the KMS's own TD (bootstrap record, RPC certificate).</summary>
internal interface IKmsAttestationSource
{
    /// <summary>Attests the KMS's TD with <paramref name="reportData"/> (64 bytes).</summary>
    Task<VersionedAttestation> AttestAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken);
}
