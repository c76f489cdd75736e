using Org.BouncyCastle.Crypto.Digests;

namespace Dstack.Crypto.Ethereum;

/// <summary>The original Keccak-256 (Ethereum's hash), not the padded FIPS-202 SHA3-256.</summary>
public static class Keccak256
{
    /// <summary>Digest length in bytes.</summary>
    public const int HashLength = 32;

    /// <summary>Hashes <paramref name="data"/>.</summary>
    /// <param name="data">Input bytes.</param>
    /// <returns>The 32-byte digest.</returns>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new byte[HashLength];
        Hash(data, digest);
        return digest;
    }

    /// <summary>Hashes <paramref name="data"/> into <paramref name="destination"/>.</summary>
    /// <param name="data">Input bytes.</param>
    /// <param name="destination">At least 32 bytes; the digest is written to its first 32.</param>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < HashLength)
        {
            throw new ArgumentException("The destination must hold 32 bytes.", nameof(destination));
        }

        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        digest.DoFinal(destination);
    }
}
