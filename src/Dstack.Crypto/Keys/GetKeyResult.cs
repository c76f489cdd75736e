namespace Dstack.Crypto.Keys;

/// <summary>Result of <c>GetKey</c>.</summary>
/// <param name="Key">The 32-byte derived key (secp256k1 scalar or Ed25519 seed).</param>
/// <param name="PublicKey">Compressed secp256k1 (33 bytes) or Ed25519 (32 bytes) public key.</param>
/// <param name="SignatureChain">Two elements: the app root signature and the KMS signature (empty without a KMS).</param>
public sealed record GetKeyResult(
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> PublicKey,
    IReadOnlyList<ReadOnlyMemory<byte>> SignatureChain);
