using System.Globalization;
using System.Numerics;
using System.Text;

namespace Dstack.Ethereum.Abi;

/// <summary>Solidity ABI encoding (head/tail layout) of values described by <see cref="AbiType"/>.</summary>
public static class AbiEncoder
{
    /// <summary>Encodes values as the parameters of a call (a tuple without an outer offset).</summary>
    /// <param name="parameters">The parameter list.</param>
    /// <param name="values">One value per parameter; see <see cref="AbiTypeKind"/> for the CLR types.</param>
    /// <returns>The encoding.</returns>
    public static byte[] Encode(IReadOnlyList<AbiParameter> parameters, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(values);
        if (parameters.Count != values.Count)
        {
            throw new AbiException($"Expected {parameters.Count} values, got {values.Count}");
        }

        var buffer = new List<byte>(32 * (parameters.Count + 4));
        EncodeSequence(buffer, parameters.Select(p => p.Type).ToArray(), values, parameters.Select(p => p.Name).ToArray(), string.Empty);
        return [.. buffer];
    }

    /// <summary>Encodes values of the given types.</summary>
    /// <param name="types">The types.</param>
    /// <param name="values">One value per type.</param>
    /// <returns>The encoding.</returns>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(types);
        return Encode(types.Select((t, i) => new AbiParameter("#" + i.ToString(CultureInfo.InvariantCulture), t)).ToArray(), values);
    }

    private static void EncodeSequence(List<byte> output, AbiType[] types, IReadOnlyList<object?> values, string[] names, string path)
    {
        var headSize = types.Sum(t => t.HeadSize);
        var head = new List<byte>((int)Math.Min(headSize, 1 << 20));
        var tail = new List<byte>();
        for (var i = 0; i < types.Length; i++)
        {
            var name = Join(path, names[i]);
            if (types[i].IsDynamic)
            {
                WriteUInt(head, new BigInteger(headSize + tail.Count), 256, name);
                EncodeValue(tail, types[i], values[i], name);
            }
            else
            {
                EncodeValue(head, types[i], values[i], name);
            }
        }

        output.AddRange(head);
        output.AddRange(tail);
    }

    private static void EncodeValue(List<byte> output, AbiType type, object? value, string name)
    {
        switch (type.Kind)
        {
            case AbiTypeKind.UnsignedNumber:
                WriteUInt(output, ToInteger(value, name), type.Size, name);
                break;
            case AbiTypeKind.SignedNumber:
                WriteInt(output, ToInteger(value, name), type.Size, name);
                break;
            case AbiTypeKind.Address:
                var address = value switch
                {
                    EvmAddress a => a,
                    string s when EvmAddress.TryParse(s, out var parsed) => parsed,
                    byte[] { Length: 20 } b => new EvmAddress(b),
                    _ => throw new AbiException($"Parameter '{name}': expected an address, got {Describe(value)}"),
                };
                output.AddRange(new byte[12]);
                output.AddRange(address.Bytes.ToArray());
                break;
            case AbiTypeKind.Bool:
                var flag = value as bool? ?? throw new AbiException($"Parameter '{name}': expected a bool, got {Describe(value)}");
                WriteUInt(output, flag ? BigInteger.One : BigInteger.Zero, 8, name);
                break;
            case AbiTypeKind.FixedBytes:
                var fixedBytes = ToBytes(value, name);
                if (fixedBytes.Length != type.Size)
                {
                    throw new AbiException($"Parameter '{name}': {type.CanonicalName} needs {type.Size} bytes, got {fixedBytes.Length}");
                }

                WritePadded(output, fixedBytes);
                break;
            case AbiTypeKind.Bytes:
                WriteDynamicBytes(output, ToBytes(value, name), name);
                break;
            case AbiTypeKind.Text:
                var text = value as string ?? throw new AbiException($"Parameter '{name}': expected a string, got {Describe(value)}");
                WriteDynamicBytes(output, Encoding.UTF8.GetBytes(text), name);
                break;
            case AbiTypeKind.FixedArray:
            case AbiTypeKind.Array:
                var items = ToList(value, name);
                if (type.Kind == AbiTypeKind.FixedArray && items.Count != type.Size)
                {
                    throw new AbiException($"Parameter '{name}': {type.CanonicalName} needs {type.Size} elements, got {items.Count}");
                }

                if (type.Kind == AbiTypeKind.Array)
                {
                    WriteUInt(output, items.Count, 256, name);
                }

                EncodeSequence(
                    output,
                    Enumerable.Repeat(type.Element!, items.Count).ToArray(),
                    items,
                    Enumerable.Range(0, items.Count).Select(i => "[" + i.ToString(CultureInfo.InvariantCulture) + "]").ToArray(),
                    name);
                break;
            default:
                var fields = ToList(value, name);
                if (fields.Count != type.Components.Count)
                {
                    throw new AbiException($"Parameter '{name}': tuple {type.CanonicalName} needs {type.Components.Count} fields, got {fields.Count}");
                }

                EncodeSequence(
                    output,
                    type.Components.Select(c => c.Type).ToArray(),
                    fields,
                    type.Components.Select((c, i) => c.Name.Length > 0 ? "." + c.Name : "." + i.ToString(CultureInfo.InvariantCulture)).ToArray(),
                    name);
                break;
        }
    }

    private static string Join(string path, string name) =>
        path.Length == 0 ? name : name.StartsWith('[') || name.StartsWith('.') ? path + name : path + "." + name;

    private static void WriteDynamicBytes(List<byte> output, byte[] data, string name)
    {
        WriteUInt(output, data.Length, 256, name);
        WritePadded(output, data);
    }

    private static void WritePadded(List<byte> output, byte[] data)
    {
        output.AddRange(data);
        var padding = (32 - (data.Length % 32)) % 32;
        output.AddRange(new byte[padding]);
    }

    internal static void WriteUInt(List<byte> output, BigInteger value, int bits, string name)
    {
        if (value.Sign < 0 || value.GetBitLength() > bits)
        {
            throw new AbiException($"Parameter '{name}': {value} does not fit uint{bits}");
        }

        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        output.AddRange(new byte[32 - bytes.Length]);
        output.AddRange(bytes);
    }

    private static void WriteInt(List<byte> output, BigInteger value, int bits, string name)
    {
        var limit = BigInteger.One << (bits - 1);
        if (value < -limit || value >= limit)
        {
            throw new AbiException($"Parameter '{name}': {value} does not fit int{bits}");
        }

        var word = value.Sign >= 0 ? value : (BigInteger.One << 256) + value;
        WriteUInt(output, word, 256, name);
    }

    private static BigInteger ToInteger(object? value, string name) => value switch
    {
        BigInteger b => b,
        int i => i,
        long l => l,
        uint u => u,
        ulong ul => ul,
        byte by => by,
        ushort us => us,
        short sh => sh,
        sbyte sb => sb,
        _ => throw new AbiException($"Parameter '{name}': expected an integer, got {Describe(value)}"),
    };

    private static byte[] ToBytes(object? value, string name) => value switch
    {
        byte[] b => b,
        ReadOnlyMemory<byte> m => m.ToArray(),
        Memory<byte> m => m.ToArray(),
        _ => throw new AbiException($"Parameter '{name}': expected bytes, got {Describe(value)}"),
    };

    private static IReadOnlyList<object?> ToList(object? value, string name) => value switch
    {
        IReadOnlyList<object?> list => list,
        System.Collections.IEnumerable e when value is not string and not byte[] => e.Cast<object?>().ToArray(),
        _ => throw new AbiException($"Parameter '{name}': expected a list, got {Describe(value)}"),
    };

    private static string Describe(object? value) => value is null ? "null" : value.GetType().Name;
}
