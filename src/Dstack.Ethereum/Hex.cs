using System.Globalization;
using System.Numerics;

namespace Dstack.Ethereum;

/// <summary>Ethereum's hex conventions: <c>0x</c>-prefixed data and minimal "quantity" numbers.</summary>
internal static class Hex
{
    /// <summary>Formats bytes as <c>0x</c> + lowercase hex.</summary>
    public static string Format(ReadOnlySpan<byte> data) => "0x" + Convert.ToHexStringLower(data);

    /// <summary>Parses <c>0x</c>-prefixed (or bare) hex data of even length.</summary>
    public static byte[] Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text.AsSpan(2) : text.AsSpan();
        if (hex.Length % 2 != 0)
        {
            throw new FormatException("Hex data must have an even number of digits");
        }

        return Convert.FromHexString(hex);
    }

    /// <summary>Formats a non-negative number as a JSON-RPC quantity (<c>0x0</c>, <c>0x1a</c>, no leading zeros).</summary>
    public static string FormatQuantity(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "Quantities are non-negative");
        }

        if (value.IsZero)
        {
            return "0x0";
        }

        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        return "0x" + Convert.ToHexStringLower(bytes).TrimStart('0');
    }

    /// <summary>Formats a non-negative number as a JSON-RPC quantity.</summary>
    public static string FormatQuantity(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Parses a JSON-RPC quantity (<c>0x</c> + hex digits).</summary>
    public static BigInteger ParseQuantity(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || text.Length < 3 || text.Length > 66)
        {
            throw new FormatException("Not a hex quantity: " + Truncate(text));
        }

        return BigInteger.Parse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    /// <summary>Parses a JSON-RPC quantity that must fit 64 bits.</summary>
    public static ulong ParseQuantityUInt64(string text)
    {
        var value = ParseQuantity(text);
        if (value > ulong.MaxValue)
        {
            throw new FormatException("Quantity does not fit 64 bits");
        }

        return (ulong)value;
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
