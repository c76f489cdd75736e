using Dstack.Crypto.Secp256k1;

namespace Dstack.Crypto.Ethereum;

/// <summary>Ethereum account addresses: the last 20 bytes of Keccak-256 of the uncompressed public key X ‖ Y.</summary>
public static class EthereumAddress
{
    /// <summary>Address length in bytes.</summary>
    public const int Length = 20;

    /// <summary>Computes the address of an uncompressed public key (65 bytes <c>04 ‖ X ‖ Y</c>, or 64 bytes X ‖ Y).</summary>
    /// <param name="uncompressedPublicKey">The public key.</param>
    /// <returns>20 bytes.</returns>
    public static byte[] FromUncompressedPublicKey(ReadOnlySpan<byte> uncompressedPublicKey)
    {
        var coordinates = uncompressedPublicKey.Length switch
        {
            Secp256k1Lengths.UncompressedPublicKey when uncompressedPublicKey[0] == 0x04 => uncompressedPublicKey[1..],
            64 => uncompressedPublicKey,
            _ => throw new DstackCryptoException("Invalid uncompressed secp256k1 public key"),
        };
        Span<byte> hash = stackalloc byte[Keccak256.HashLength];
        Keccak256.Hash(coordinates, hash);
        return hash[^Length..].ToArray();
    }

    /// <summary>Computes the address of any SEC1 public key.</summary>
    /// <param name="publicKey">33 or 65 bytes.</param>
    /// <param name="secp256k1">Backend used to decompress the key.</param>
    /// <returns>20 bytes.</returns>
    public static byte[] FromPublicKey(ReadOnlySpan<byte> publicKey, ISecp256k1 secp256k1)
    {
        ArgumentNullException.ThrowIfNull(secp256k1);
        Span<byte> uncompressed = stackalloc byte[Secp256k1Lengths.UncompressedPublicKey];
        if (!secp256k1.TryConvertPublicKey(publicKey, uncompressed))
        {
            throw new DstackCryptoException("Invalid secp256k1 public key");
        }

        return FromUncompressedPublicKey(uncompressed);
    }

    /// <summary>Formats an address in EIP-55 mixed-case checksum form with the <c>0x</c> prefix.</summary>
    /// <param name="address">20 bytes.</param>
    /// <returns>For example <c>0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed</c>.</returns>
    public static string ToChecksumString(ReadOnlySpan<byte> address)
    {
        if (address.Length != Length)
        {
            throw new DstackCryptoException("An Ethereum address is 20 bytes");
        }

        var lower = Convert.ToHexStringLower(address);
        Span<byte> hash = stackalloc byte[Keccak256.HashLength];
        Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(lower), hash);
        return string.Create(2 + lower.Length, (lower, hash.ToArray()), static (chars, state) =>
        {
            chars[0] = '0';
            chars[1] = 'x';
            for (var i = 0; i < state.lower.Length; i++)
            {
                var c = state.lower[i];
                var nibble = (i & 1) == 0 ? state.Item2[i / 2] >> 4 : state.Item2[i / 2] & 0x0f;
                chars[i + 2] = c is >= 'a' and <= 'f' && nibble >= 8 ? char.ToUpperInvariant(c) : c;
            }
        });
    }

    /// <summary>Checks an EIP-55 string: all-lowercase and all-uppercase forms are accepted, mixed case must match.</summary>
    /// <param name="text">Address text, with or without <c>0x</c>.</param>
    /// <param name="address">The 20 address bytes when valid.</param>
    /// <returns>False if the text is not a valid address or its checksum is wrong.</returns>
    public static bool TryParse(string? text, out byte[] address)
    {
        address = [];
        if (text is null)
        {
            return false;
        }

        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (hex.Length != Length * 2 || !hex.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        var bytes = Convert.FromHexString(hex);
        var allLower = !hex.Any(char.IsAsciiLetterUpper);
        var allUpper = !hex.Any(char.IsAsciiLetterLower);
        if (!allLower && !allUpper && ToChecksumString(bytes)[2..] != hex)
        {
            return false;
        }

        address = bytes;
        return true;
    }
}
