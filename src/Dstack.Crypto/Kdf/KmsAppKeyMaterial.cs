namespace Dstack.Crypto.Kdf;

/// <summary>The per-app secrets the KMS releases in <c>GetAppKey</c>.</summary>
/// <param name="DiskCryptKey">32 bytes, per instance; the guest uses its hex as the LUKS passphrase.</param>
/// <param name="EnvCryptKey">32-byte X25519 secret for encrypted environment variables.</param>
/// <param name="K256Key">32-byte secp256k1 app root key.</param>
/// <param name="K256Signature">65-byte KMS root signature over the app root public key.</param>
public sealed record KmsAppKeyMaterial(
    ReadOnlyMemory<byte> DiskCryptKey,
    ReadOnlyMemory<byte> EnvCryptKey,
    ReadOnlyMemory<byte> K256Key,
    ReadOnlyMemory<byte> K256Signature);
