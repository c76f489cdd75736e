namespace Dstack.Attestation.Dcap;

/// <summary>
/// DCAP verification collateral as served by a PCCS (v4 endpoints): TDX TCB info and TD QE identity JSON documents,
/// the TCB-signing certificate chain that signs both, and optionally the PCK CRL and the root CA CRL.
/// </summary>
public sealed class DcapCollateral
{
    /// <summary>The TCB info document <c>{"tcbInfo":{…},"signature":"…"}</c> exactly as received.</summary>
    public required string TcbInfoJson { get; init; }

    /// <summary>The QE identity document <c>{"enclaveIdentity":{…},"signature":"…"}</c> exactly as received.</summary>
    public required string QeIdentityJson { get; init; }

    /// <summary>PEM chain of the TCB signing certificate (signing certificate first, then up to the root).</summary>
    public required string TcbSigningChainPem { get; init; }

    /// <summary>The CRL of the PCK CA that issued the PCK leaf (DER or PEM); empty to skip this check.</summary>
    public ReadOnlyMemory<byte> PckCrl { get; init; }

    /// <summary>The root CA CRL (DER or PEM) covering the intermediate CAs; empty to skip this check.</summary>
    public ReadOnlyMemory<byte> RootCaCrl { get; init; }
}
