using System.Globalization;
using System.Text;

namespace Dstack.Ethereum.Abi;

/// <summary>A Solidity ABI type. Parse canonical names with <see cref="Parse"/>.</summary>
public sealed class AbiType
{
    private AbiType(AbiTypeKind kind, int size, AbiType? element, IReadOnlyList<AbiParameter>? components)
    {
        Kind = kind;
        Size = size;
        Element = element;
        Components = components ?? [];
        CanonicalName = BuildName();
        IsDynamic = kind switch
        {
            AbiTypeKind.Bytes or AbiTypeKind.Text or AbiTypeKind.Array => true,
            AbiTypeKind.FixedArray => element!.IsDynamic,
            AbiTypeKind.Tuple => Components.Any(c => c.Type.IsDynamic),
            _ => false,
        };
        HeadSize = IsDynamic ? 32 : kind switch
        {
            AbiTypeKind.FixedArray => checked(size * element!.HeadSize),
            AbiTypeKind.Tuple => Components.Aggregate(0L, (sum, c) => checked(sum + c.Type.HeadSize)),
            _ => 32,
        };
    }

    /// <summary>The type family.</summary>
    public AbiTypeKind Kind { get; }

    /// <summary>Bits for integers, bytes for <c>bytesN</c>, length for fixed arrays; 0 otherwise.</summary>
    public int Size { get; }

    /// <summary>The element type of an array.</summary>
    public AbiType? Element { get; }

    /// <summary>The components of a tuple.</summary>
    public IReadOnlyList<AbiParameter> Components { get; }

    /// <summary>The canonical name used in signatures, e.g. <c>(address,string[])[2]</c>.</summary>
    public string CanonicalName { get; }

    /// <summary>True if the encoding is placed in the tail behind an offset.</summary>
    public bool IsDynamic { get; }

    /// <summary>Bytes this type occupies in the head of an enclosing sequence.</summary>
    internal long HeadSize { get; }

    /// <summary><c>uint256</c>.</summary>
    public static AbiType UInt256 { get; } = UnsignedNumber(256);

    /// <summary><c>address</c>.</summary>
    public static AbiType Address { get; } = new(AbiTypeKind.Address, 0, null, null);

    /// <summary><c>bool</c>.</summary>
    public static AbiType Bool { get; } = new(AbiTypeKind.Bool, 0, null, null);

    /// <summary><c>bytes</c>.</summary>
    public static AbiType Bytes { get; } = new(AbiTypeKind.Bytes, 0, null, null);

    /// <summary><c>string</c> (named Text to avoid the CLR type name).</summary>
    public static AbiType Text { get; } = new(AbiTypeKind.Text, 0, null, null);

    /// <summary><c>bytes32</c>.</summary>
    public static AbiType Bytes32 { get; } = FixedBytes(32);

    /// <summary><c>uintN</c>.</summary>
    /// <param name="bits">8 to 256, a multiple of 8.</param>
    /// <returns>The type.</returns>
    public static AbiType UnsignedNumber(int bits) => new(AbiTypeKind.UnsignedNumber, CheckBits(bits), null, null);

    /// <summary><c>intN</c>.</summary>
    /// <param name="bits">8 to 256, a multiple of 8.</param>
    /// <returns>The type.</returns>
    public static AbiType SignedNumber(int bits) => new(AbiTypeKind.SignedNumber, CheckBits(bits), null, null);

    /// <summary><c>bytesN</c>.</summary>
    /// <param name="size">1 to 32.</param>
    /// <returns>The type.</returns>
    public static AbiType FixedBytes(int size) => size is >= 1 and <= 32
        ? new AbiType(AbiTypeKind.FixedBytes, size, null, null)
        : throw new AbiException("bytesN needs 1 <= N <= 32, got " + size.ToString(CultureInfo.InvariantCulture));

    /// <summary><c>T[]</c>.</summary>
    /// <param name="element">The element type.</param>
    /// <returns>The type.</returns>
    public static AbiType ArrayOf(AbiType element) => new(AbiTypeKind.Array, 0, element, null);

    /// <summary><c>T[N]</c>.</summary>
    /// <param name="element">The element type.</param>
    /// <param name="length">N, at least 1.</param>
    /// <returns>The type.</returns>
    public static AbiType FixedArrayOf(AbiType element, int length) => length >= 1
        ? new AbiType(AbiTypeKind.FixedArray, length, element, null)
        : throw new AbiException("Fixed array length must be positive");

    /// <summary>A tuple of named components.</summary>
    /// <param name="components">The components in order.</param>
    /// <returns>The type.</returns>
    public static AbiType Tuple(IReadOnlyList<AbiParameter> components) => new(AbiTypeKind.Tuple, 0, null, [.. components]);

    /// <summary>A tuple of unnamed components.</summary>
    /// <param name="components">The component types in order.</param>
    /// <returns>The type.</returns>
    public static AbiType Tuple(params AbiType[] components) =>
        Tuple(components.Select(c => new AbiParameter(string.Empty, c)).ToArray());

    /// <summary>Parses a canonical type name such as <c>uint256</c>, <c>bytes32[2]</c> or <c>(address,string[])[]</c>.</summary>
    /// <param name="text">The type name; <c>uint</c> and <c>int</c> mean 256 bits.</param>
    /// <returns>The type.</returns>
    public static AbiType Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var position = 0;
        var type = ParseAt(text, ref position);
        if (position != text.Length)
        {
            throw new AbiException($"Unexpected '{text[position]}' at {position} in type '{text}'");
        }

        return type;
    }

    /// <summary>Parses a comma-separated list of types, e.g. the inside of a signature's parentheses.</summary>
    /// <param name="text">Types separated by commas; empty for none.</param>
    /// <returns>The types.</returns>
    public static IReadOnlyList<AbiType> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tuple = Parse("(" + text + ")");
        return tuple.Components.Select(c => c.Type).ToArray();
    }

    /// <inheritdoc />
    public override string ToString() => CanonicalName;

    private static AbiType ParseAt(string text, ref int position)
    {
        AbiType type;
        if (position < text.Length && text[position] == '(')
        {
            position++;
            var components = new List<AbiParameter>();
            if (position < text.Length && text[position] == ')')
            {
                position++;
            }
            else
            {
                while (true)
                {
                    components.Add(new AbiParameter(string.Empty, ParseAt(text, ref position)));
                    if (position >= text.Length)
                    {
                        throw new AbiException($"Unclosed tuple in type '{text}'");
                    }

                    var c = text[position++];
                    if (c == ')')
                    {
                        break;
                    }

                    if (c != ',')
                    {
                        throw new AbiException($"Expected ',' or ')' at {position - 1} in type '{text}'");
                    }
                }
            }

            type = Tuple(components);
        }
        else
        {
            var start = position;
            while (position < text.Length && char.IsAsciiLetterOrDigit(text[position]))
            {
                position++;
            }

            type = Elementary(text[start..position], text);
        }

        while (position < text.Length && text[position] == '[')
        {
            var close = text.IndexOf(']', position);
            if (close < 0)
            {
                throw new AbiException($"Unclosed '[' in type '{text}'");
            }

            var inner = text[(position + 1)..close];
            position = close + 1;
            if (inner.Length == 0)
            {
                type = ArrayOf(type);
            }
            else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length > 0)
            {
                type = FixedArrayOf(type, length);
            }
            else
            {
                throw new AbiException($"Bad array length '{inner}' in type '{text}'");
            }
        }

        return type;
    }

    private static AbiType Elementary(string name, string whole)
    {
        switch (name)
        {
            case "address":
                return Address;
            case "bool":
                return Bool;
            case "bytes":
                return Bytes;
            case "string":
                return Text;
            case "uint":
                return UInt256;
            case "int":
                return SignedNumber(256);
            default:
                break;
        }

        if (name.StartsWith("uint", StringComparison.Ordinal) && TrySize(name[4..], out var ubits))
        {
            return UnsignedNumber(ubits);
        }

        if (name.StartsWith("int", StringComparison.Ordinal) && TrySize(name[3..], out var ibits))
        {
            return SignedNumber(ibits);
        }

        if (name.StartsWith("bytes", StringComparison.Ordinal) && TrySize(name[5..], out var size))
        {
            return FixedBytes(size);
        }

        throw new AbiException($"Unknown type '{name}' in '{whole}'");
    }

    private static bool TrySize(string digits, out int value)
    {
        value = 0;
        return digits.Length > 0 && digits[0] != '0'
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static int CheckBits(int bits) => bits is >= 8 and <= 256 && bits % 8 == 0
        ? bits
        : throw new AbiException("Integer width must be a multiple of 8 in [8, 256], got " + bits.ToString(CultureInfo.InvariantCulture));

    private string BuildName()
    {
        switch (Kind)
        {
            case AbiTypeKind.UnsignedNumber:
                return "uint" + Size.ToString(CultureInfo.InvariantCulture);
            case AbiTypeKind.SignedNumber:
                return "int" + Size.ToString(CultureInfo.InvariantCulture);
            case AbiTypeKind.Address:
                return "address";
            case AbiTypeKind.Bool:
                return "bool";
            case AbiTypeKind.FixedBytes:
                return "bytes" + Size.ToString(CultureInfo.InvariantCulture);
            case AbiTypeKind.Bytes:
                return "bytes";
            case AbiTypeKind.Text:
                return "string";
            case AbiTypeKind.Array:
                return Element!.CanonicalName + "[]";
            case AbiTypeKind.FixedArray:
                return Element!.CanonicalName + "[" + Size.ToString(CultureInfo.InvariantCulture) + "]";
            default:
                var builder = new StringBuilder("(");
                builder.AppendJoin(',', Components.Select(c => c.Type.CanonicalName));
                return builder.Append(')').ToString();
        }
    }
}
