namespace Dstack.Ethereum.Contracts;

/// <summary>The <c>DstackKms.kmsInfo</c> struct: the KMS's public keys and its attestation.</summary>
/// <param name="K256Pubkey">The root secp256k1 public key.</param>
/// <param name="CaPubkey">The root CA public key.</param>
/// <param name="Quote">The KMS's TDX quote.</param>
/// <param name="Eventlog">The KMS's event log.</param>
public sealed record KmsInfo(byte[] K256Pubkey, byte[] CaPubkey, byte[] Quote, byte[] Eventlog);
