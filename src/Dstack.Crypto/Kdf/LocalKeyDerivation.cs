using Dstack.Crypto.Secp256k1;

namespace Dstack.Crypto.Kdf;

/// <summary>
/// <c>gen_app_keys_from_seed</c> used by the None/Local/Tpm key providers: every key is
/// <c>derive_key(seed, label)</c>.
/// </summary>
public static class LocalKeyDerivation
{
    /// <summary>The app CA P-256 scalar (label <c>app-key</c>).</summary>
    /// <param name="seed">Provider seed.</param>
    /// <returns>32-byte scalar.</returns>
    public static byte[] DeriveAppCaKey(ReadOnlySpan<byte> seed) => DstackKdf.DeriveP256PrivateKey(seed, "app-key"u8);

    /// <summary>The disk key: SHA-256 of the PKCS#8 DER of the P-256 key with label <c>app-disk-key</c>.</summary>
    /// <param name="seed">Provider seed.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] DeriveDiskCryptKey(ReadOnlySpan<byte> seed) =>
        DstackKdf.HashPkcs8(DstackKdf.DeriveP256PrivateKey(seed, "app-disk-key"u8));

    /// <summary>The app root secp256k1 key (label <c>app-k256-key</c>).</summary>
    /// <param name="seed">Provider seed.</param>
    /// <param name="secp256k1">secp256k1 backend (range check).</param>
    /// <returns>32-byte scalar.</returns>
    public static byte[] DeriveK256Key(ReadOnlySpan<byte> seed, ISecp256k1 secp256k1) =>
        DstackKdf.DeriveSecp256k1PrivateKey(seed, "app-k256-key"u8, secp256k1);
}
