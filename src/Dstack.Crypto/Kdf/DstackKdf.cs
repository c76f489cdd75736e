using System.Security.Cryptography;
using Dstack.Crypto.Encodings;
using Dstack.Crypto.Secp256k1;

namespace Dstack.Crypto.Kdf;

/// <summary>
/// The dstack key-derivation function: HKDF-SHA256 (RFC 5869) with salt <c>"RATLS"</c> and the info parts
/// concatenated without separators or length prefixes. Derived scalars are used as is (never reduced mod n).
/// </summary>
public static class DstackKdf
{
    /// <summary>Length of every derived key.</summary>
    public const int KeyLength = 32;

    /// <summary>The HKDF salt, ASCII <c>RATLS</c>.</summary>
    public static ReadOnlySpan<byte> Salt => "RATLS"u8;

    /// <summary><c>derive_key(ikm, info, length)</c>.</summary>
    /// <param name="ikm">Input key material.</param>
    /// <param name="info">The info bytes (already concatenated).</param>
    /// <param name="length">Output length.</param>
    /// <returns>The derived bytes.</returns>
    public static byte[] DeriveKey(ReadOnlySpan<byte> ikm, ReadOnlySpan<byte> info, int length = KeyLength)
    {
        var output = new byte[length];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, output, Salt, info);
        return output;
    }

    /// <summary><c>derive_key(ikm, parts, length)</c> with the parts concatenated.</summary>
    /// <param name="ikm">Input key material.</param>
    /// <param name="infoParts">Info slices, concatenated in order.</param>
    /// <param name="length">Output length.</param>
    /// <returns>The derived bytes.</returns>
    public static byte[] DeriveKey(ReadOnlySpan<byte> ikm, IEnumerable<byte[]> infoParts, int length = KeyLength) =>
        DeriveKey(ikm, Concat(infoParts), length);

    /// <summary>Derives a secp256k1 private key; fails if the output is 0 or ≥ n.</summary>
    /// <param name="parentKey">IKM, e.g. the app root k256 key.</param>
    /// <param name="info">Info bytes, e.g. the UTF-8 path.</param>
    /// <param name="secp256k1">Backend used to range-check the scalar.</param>
    /// <returns>32-byte scalar.</returns>
    public static byte[] DeriveSecp256k1PrivateKey(ReadOnlySpan<byte> parentKey, ReadOnlySpan<byte> info, ISecp256k1 secp256k1)
    {
        ArgumentNullException.ThrowIfNull(secp256k1);
        var key = DeriveKey(parentKey, info);
        if (!secp256k1.IsValidPrivateKey(key))
        {
            CryptographicOperations.ZeroMemory(key);
            throw new DstackCryptoException("Derived key is not a valid secp256k1 private key");
        }

        return key;
    }

    /// <summary>Derives a P-256 private scalar from a parent scalar; fails if the output is 0 or ≥ n.</summary>
    /// <param name="parentScalar">IKM: a 32-byte scalar (or 32 random bytes).</param>
    /// <param name="infoParts">Info slices.</param>
    /// <returns>32-byte scalar.</returns>
    public static byte[] DeriveP256PrivateKey(ReadOnlySpan<byte> parentScalar, IEnumerable<byte[]> infoParts) =>
        DeriveP256PrivateKey(parentScalar, Concat(infoParts));

    /// <summary>Derives a P-256 private scalar; fails if the output is 0 or ≥ n.</summary>
    /// <param name="parentScalar">IKM.</param>
    /// <param name="info">Info bytes.</param>
    /// <returns>32-byte scalar.</returns>
    public static byte[] DeriveP256PrivateKey(ReadOnlySpan<byte> parentScalar, ReadOnlySpan<byte> info)
    {
        var key = DeriveKey(parentScalar, info);
        if (!P256KeyEncoding.IsValidPrivateKey(key))
        {
            CryptographicOperations.ZeroMemory(key);
            throw new DstackCryptoException("Derived key is not a valid P-256 private key");
        }

        return key;
    }

    /// <summary>A fresh P-256 scalar as <c>GetTlsKey</c> makes it: HKDF over 32 random bytes with empty info.</summary>
    /// <returns>32-byte scalar.</returns>
    public static byte[] NewRandomP256PrivateKey()
    {
        Span<byte> seed = stackalloc byte[KeyLength];
        while (true)
        {
            RandomNumberGenerator.Fill(seed);
            var key = DeriveKey(seed, ReadOnlySpan<byte>.Empty);
            if (P256KeyEncoding.IsValidPrivateKey(key))
            {
                CryptographicOperations.ZeroMemory(seed);
                return key;
            }
        }
    }

    /// <summary>
    /// <c>derive_dh_secret</c>: SHA-256 of the 138-byte PKCS#8 DER of the P-256 key derived from
    /// <paramref name="parentScalar"/> and <paramref name="infoParts"/>.
    /// </summary>
    /// <param name="parentScalar">Parent P-256 scalar (e.g. the KMS root CA key).</param>
    /// <param name="infoParts">Info slices.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] DeriveDhSecret(ReadOnlySpan<byte> parentScalar, IEnumerable<byte[]> infoParts)
    {
        var child = DeriveP256PrivateKey(parentScalar, infoParts);
        return HashPkcs8(child);
    }

    internal static byte[] HashPkcs8(byte[] scalar)
    {
        var der = P256KeyEncoding.ToPkcs8Der(scalar);
        try
        {
            return SHA256.HashData(der);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
            CryptographicOperations.ZeroMemory(scalar);
        }
    }

    internal static byte[] Concat(IEnumerable<byte[]> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        using var buffer = new MemoryStream();
        foreach (var part in parts)
        {
            buffer.Write(part);
        }

        return buffer.ToArray();
    }
}
