using System.Buffers.Binary;
using System.Text;

namespace Dstack.Kms.Csr;

/// <summary>A bounds-checked reader of the SCALE primitives a CSR uses (compact lengths, bytes, strings, bool, Option).</summary>
internal ref struct ScaleDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private readonly ReadOnlySpan<byte> _data;
    private int _offset;

    /// <summary>Reads <paramref name="data"/> from the start.</summary>
    public ScaleDecoder(ReadOnlySpan<byte> data)
    {
        _data = data;
        _offset = 0;
    }

    /// <summary>Bytes not read yet.</summary>
    public readonly ReadOnlySpan<byte> Rest => _data[_offset..];

    /// <summary>A compact-encoded length.</summary>
    public int ReadCompact(string field)
    {
        var first = Take(1, field)[0];
        ulong value = (first & 3) switch
        {
            0 => (ulong)(first >> 2),
            1 => (ulong)(BinaryPrimitives.ReadUInt16LittleEndian([first, .. Take(1, field)]) >> 2),
            2 => BinaryPrimitives.ReadUInt32LittleEndian([first, .. Take(3, field)]) >> 2,
            _ => throw new FormatException($"{field}: compact integers over 2^30 are not accepted here"),
        };
        return value <= int.MaxValue ? (int)value : throw new FormatException($"{field}: length {value} is too large");
    }

    /// <summary>A length-prefixed byte vector.</summary>
    public byte[] ReadBytes(string field) => Take(ReadCompact(field), field).ToArray();

    /// <summary>A length-prefixed UTF-8 string.</summary>
    public string ReadString(string field)
    {
        var bytes = ReadBytes(field);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new FormatException($"{field}: not valid UTF-8", ex);
        }
    }

    /// <summary>A bool byte (0 or 1).</summary>
    public bool ReadBool(string field) => Take(1, field)[0] switch
    {
        0 => false,
        1 => true,
        var other => throw new FormatException($"{field}: bool byte {other} is neither 0 nor 1"),
    };

    /// <summary>An <c>Option&lt;String&gt;</c>.</summary>
    public string? ReadOptionalString(string field) => ReadOptionTag(field) ? ReadString(field) : null;

    /// <summary>An <c>Option&lt;u64&gt;</c>.</summary>
    public ulong? ReadOptionalUInt64(string field) => ReadOptionTag(field) ? BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field)) : null;

    /// <summary>A <c>Vec&lt;String&gt;</c>.</summary>
    public List<string> ReadStringList(string field)
    {
        var count = ReadCompact(field);
        if (count > Rest.Length)
        {
            throw new FormatException($"{field}: {count} items cannot fit in {Rest.Length} bytes");
        }

        var list = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(ReadString($"{field}[{i}]"));
        }

        return list;
    }

    private bool ReadOptionTag(string field) => Take(1, field)[0] switch
    {
        0 => false,
        1 => true,
        var other => throw new FormatException($"{field}: option tag {other} is neither 0 nor 1"),
    };

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count > _data.Length - _offset)
        {
            throw new FormatException($"{field}: needs {count} bytes at offset {_offset}, only {_data.Length - _offset} remain");
        }

        var span = _data.Slice(_offset, count);
        _offset += count;
        return span;
    }
}
