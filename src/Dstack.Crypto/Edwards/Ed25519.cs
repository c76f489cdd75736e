using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Dstack.Crypto.Edwards;

/// <summary>RFC 8032 Ed25519 from a 32-byte seed (the dstack derived key is used as the seed).</summary>
public static class Ed25519
{
    /// <summary>Seed length.</summary>
    public const int SeedLength = 32;

    /// <summary>Public key length.</summary>
    public const int PublicKeyLength = 32;

    /// <summary>Signature length.</summary>
    public const int SignatureLength = 64;

    /// <summary>Computes the public key of a seed.</summary>
    /// <param name="seed">32 bytes.</param>
    /// <returns>32-byte public key.</returns>
    public static byte[] GetPublicKey(ReadOnlySpan<byte> seed)
    {
        var sk = CheckSeed(seed);
        var pk = new byte[PublicKeyLength];
        BcEd25519.GeneratePublicKey(sk, 0, pk, 0);
        Array.Clear(sk);
        return pk;
    }

    /// <summary>Signs a message (pure Ed25519, deterministic).</summary>
    /// <param name="seed">32-byte seed.</param>
    /// <param name="message">Message bytes.</param>
    /// <returns>64-byte signature.</returns>
    public static byte[] Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> message)
    {
        var sk = CheckSeed(seed);
        var m = message.ToArray();
        var signature = new byte[SignatureLength];
        BcEd25519.Sign(sk, 0, m, 0, m.Length, signature, 0);
        Array.Clear(sk);
        return signature;
    }

    /// <summary>True if <paramref name="publicKey"/> is 32 bytes that decode to a curve point.</summary>
    /// <param name="publicKey">Candidate public key.</param>
    /// <returns>Whether the key can be used for verification.</returns>
    public static bool IsValidPublicKey(ReadOnlySpan<byte> publicKey) =>
        publicKey.Length == PublicKeyLength && BcEd25519.ValidatePublicKeyPartial(publicKey.ToArray(), 0);

    /// <summary>Verifies a signature (cofactorless, non-strict about small-order keys).</summary>
    /// <param name="publicKey">32-byte public key.</param>
    /// <param name="message">Message bytes.</param>
    /// <param name="signature">64-byte signature.</param>
    /// <returns>Whether the signature is valid.</returns>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyLength || signature.Length != SignatureLength)
        {
            return false;
        }

        var m = message.ToArray();
        return BcEd25519.Verify(signature.ToArray(), 0, publicKey.ToArray(), 0, m, 0, m.Length);
    }

    private static byte[] CheckSeed(ReadOnlySpan<byte> seed) =>
        seed.Length == SeedLength ? seed.ToArray() : throw new DstackCryptoException("An Ed25519 seed is 32 bytes");
}
