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
    /// <param name="destination">At least 32 bytes.</param>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination) => HashWith(new KeccakDigest(256), data, destination);

    internal static void HashWith(KeccakDigest digest, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var input = data.ToArray();
        digest.BlockUpdate(input, 0, input.Length);
        var output = new byte[digest.GetDigestSize()];
        digest.DoFinal(output, 0);
        output.CopyTo(destination);
    }
}
