namespace Dstack.Kms.Service;

/// <summary><c>GetAppEnvEncryptPubKey</c> output (kms.md §3.3–3.4, wire message <c>PublicKeyResponse</c>).</summary>
/// <param name="PublicKey">32-byte X25519 public key.</param>
/// <param name="Signature">Legacy 65-byte signature without timestamp.</param>
/// <param name="Timestamp">Unix seconds covered by <paramref name="SignatureV1"/>.</param>
/// <param name="SignatureV1">65-byte signature over the timestamp and the key.</param>
internal sealed record EnvEncryptPublicKeyResponse(byte[] PublicKey, byte[] Signature, ulong Timestamp, byte[] SignatureV1);
