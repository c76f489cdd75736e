namespace Dstack.Crypto.Keys;

/// <summary>Result of <c>Sign</c>.</summary>
/// <param name="Signature">Ed25519: 64 bytes; secp256k1: 64 bytes <c>r ‖ s</c> (no recovery byte).</param>
/// <param name="SignatureChain">Three elements: the signature, the app root signature, the KMS signature.</param>
/// <param name="PublicKey">Ed25519: 32 bytes; secp256k1: 33-byte compressed.</param>
public sealed record SignResult(
    ReadOnlyMemory<byte> Signature,
    IReadOnlyList<ReadOnlyMemory<byte>> SignatureChain,
    ReadOnlyMemory<byte> PublicKey);
