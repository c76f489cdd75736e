using System.Security.Cryptography;
using BcX25519 = Org.BouncyCastle.Math.EC.Rfc7748.X25519;

namespace Dstack.Crypto.Edwards;

/// <summary>RFC 7748 X25519. Secrets are used unclamped as stored; clamping happens inside the multiplication.</summary>
public static class X25519
{
    /// <summary>Secret, public key and shared secret length.</summary>
    public const int KeyLength = 32;

    /// <summary>Computes the public key <c>X25519(secret, 9)</c>.</summary>
    /// <param name="secret">32-byte secret.</param>
    /// <returns>32-byte public key.</returns>
    public static byte[] GetPublicKey(ReadOnlySpan<byte> secret)
    {
        var k = CheckKey(secret, "secret");
        var publicKey = new byte[KeyLength];
        BcX25519.ScalarMultBase(k, 0, publicKey, 0);
        CryptographicOperations.ZeroMemory(k);
        return publicKey;
    }

    /// <summary>Computes the raw shared secret <c>X25519(secret, peer)</c>.</summary>
    /// <param name="secret">Our 32-byte secret.</param>
    /// <param name="peerPublicKey">Their 32-byte public key.</param>
    /// <returns>32 bytes.</returns>
    /// <exception cref="DstackCryptoException">The result is all zero (a low-order peer key).</exception>
    public static byte[] SharedSecret(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> peerPublicKey)
    {
        var k = CheckKey(secret, "secret");
        var u = CheckKey(peerPublicKey, "public key");
        var shared = new byte[KeyLength];
        BcX25519.ScalarMult(k, 0, u, 0, shared, 0);
        CryptographicOperations.ZeroMemory(k);
        if (shared.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            throw new DstackCryptoException("X25519 shared secret is zero");
        }

        return shared;
    }

    /// <summary>Generates a random 32-byte secret.</summary>
    /// <returns>The secret.</returns>
    public static byte[] GenerateSecret() => RandomNumberGenerator.GetBytes(KeyLength);

    private static byte[] CheckKey(ReadOnlySpan<byte> key, string what) =>
        key.Length == KeyLength ? key.ToArray() : throw new DstackCryptoException($"An X25519 {what} is 32 bytes");
}
