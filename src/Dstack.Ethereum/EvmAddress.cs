using Dstack.Crypto.Ethereum;

namespace Dstack.Ethereum;

/// <summary>A 20-byte Ethereum account or contract address. The default value is the zero address.</summary>
public readonly struct EvmAddress : IEquatable<EvmAddress>
{
    private readonly byte[]? _bytes;

    /// <summary>Creates an address from exactly 20 bytes.</summary>
    /// <param name="bytes">The address bytes.</param>
    public EvmAddress(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != EthereumAddress.Length)
        {
            throw new ArgumentException("An address is 20 bytes", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The zero address.</summary>
    public static EvmAddress Zero => default;

    /// <summary>The 20 address bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes ?? new byte[EthereumAddress.Length];

    /// <summary>True for the zero address.</summary>
    public bool IsZero => _bytes is null || !_bytes.AsSpan().ContainsAnyExcept((byte)0);

    /// <summary>Parses <c>0x</c> + 40 hex digits; mixed case must be a valid EIP-55 checksum.</summary>
    /// <param name="text">The address text.</param>
    /// <returns>The address.</returns>
    public static EvmAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException("Not a valid Ethereum address: " + text);

    /// <summary>Parses an address without throwing.</summary>
    /// <param name="text">The address text.</param>
    /// <param name="address">The parsed address.</param>
    /// <returns>False if the text is not an address or its checksum is wrong.</returns>
    public static bool TryParse(string? text, out EvmAddress address)
    {
        if (EthereumAddress.TryParse(text, out var bytes))
        {
            address = new EvmAddress(bytes);
            return true;
        }

        address = default;
        return false;
    }

    /// <summary>Returns a copy of the 20 bytes.</summary>
    /// <returns>A new array.</returns>
    public byte[] ToArray() => Bytes.ToArray();

    /// <summary>The EIP-55 checksummed form with <c>0x</c>.</summary>
    /// <returns>For example <c>0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266</c>.</returns>
    public override string ToString() => EthereumAddress.ToChecksumString(Bytes);

    /// <inheritdoc />
    public bool Equals(EvmAddress other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EvmAddress other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(Bytes[^4..]);

    /// <summary>Equality by value.</summary>
    /// <param name="left">First address.</param>
    /// <param name="right">Second address.</param>
    /// <returns>True if equal.</returns>
    public static bool operator ==(EvmAddress left, EvmAddress right) => left.Equals(right);

    /// <summary>Inequality by value.</summary>
    /// <param name="left">First address.</param>
    /// <param name="right">Second address.</param>
    /// <returns>True if different.</returns>
    public static bool operator !=(EvmAddress left, EvmAddress right) => !left.Equals(right);
}
