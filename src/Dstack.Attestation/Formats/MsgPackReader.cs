using System.Buffers.Binary;
using System.Text;

namespace Dstack.Attestation.Formats;

/// <summary>
/// A minimal msgpack reader: nil, booleans, integers, str, bin, arrays and maps. Floats and extension types are
/// rejected with a clear error; every length is checked against the remaining input and nesting is bounded.
/// </summary>
internal sealed class MsgPackReader
{
    private const int MaxDepth = 32;
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private readonly ReadOnlyMemory<byte> _data;
    private int _offset;

    private MsgPackReader(ReadOnlyMemory<byte> data) => _data = data;

    /// <summary>Reads one value that must span the whole input.</summary>
    public static MsgPackValue ReadSingle(ReadOnlyMemory<byte> data)
    {
        var reader = new MsgPackReader(data);
        var value = reader.ReadValue(0);
        if (reader._offset != data.Length)
        {
            throw new AttestationFormatException($"msgpack: {data.Length - reader._offset} trailing bytes after the value at offset {reader._offset}");
        }

        return value;
    }

    private MsgPackValue ReadValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw new AttestationFormatException($"msgpack: nesting deeper than {MaxDepth} at offset {_offset}");
        }

        var start = _offset;
        var b = Take(1)[0];
        return b switch
        {
            <= 0x7f => MsgPackValue.FromUnsigned(b),
            >= 0x80 and <= 0x8f => ReadMap(b & 0x0f, depth),
            >= 0x90 and <= 0x9f => ReadArray(b & 0x0f, depth),
            >= 0xa0 and <= 0xbf => ReadString(b & 0x1f),
            0xc0 => MsgPackValue.Nil,
            0xc2 => MsgPackValue.FromBoolean(false),
            0xc3 => MsgPackValue.FromBoolean(true),
            0xc4 => MsgPackValue.FromBinary(Take(Length(1)).ToArray()),
            0xc5 => MsgPackValue.FromBinary(Take(Length(2)).ToArray()),
            0xc6 => MsgPackValue.FromBinary(Take(Length(4)).ToArray()),
            0xcc => MsgPackValue.FromUnsigned(Take(1)[0]),
            0xcd => MsgPackValue.FromUnsigned(BinaryPrimitives.ReadUInt16BigEndian(Take(2))),
            0xce => MsgPackValue.FromUnsigned(BinaryPrimitives.ReadUInt32BigEndian(Take(4))),
            0xcf => MsgPackValue.FromUnsigned(BinaryPrimitives.ReadUInt64BigEndian(Take(8))),
            0xd0 => MsgPackValue.FromSigned((sbyte)Take(1)[0]),
            0xd1 => MsgPackValue.FromSigned(BinaryPrimitives.ReadInt16BigEndian(Take(2))),
            0xd2 => MsgPackValue.FromSigned(BinaryPrimitives.ReadInt32BigEndian(Take(4))),
            0xd3 => MsgPackValue.FromSigned(BinaryPrimitives.ReadInt64BigEndian(Take(8))),
            0xd9 => ReadString(Length(1)),
            0xda => ReadString(Length(2)),
            0xdb => ReadString(Length(4)),
            0xdc => ReadArray(Length(2), depth),
            0xdd => ReadArray(Length(4), depth),
            0xde => ReadMap(Length(2), depth),
            0xdf => ReadMap(Length(4), depth),
            >= 0xe0 => MsgPackValue.FromSigned((sbyte)b),
            _ => throw new AttestationFormatException($"msgpack: unsupported type byte 0x{b:x2} (float or extension) at offset {start}"),
        };
    }

    private MsgPackValue ReadMap(int count, int depth)
    {
        CheckCount(count, 2);
        var entries = new List<KeyValuePair<MsgPackValue, MsgPackValue>>(count);
        for (var i = 0; i < count; i++)
        {
            var key = ReadValue(depth + 1);
            entries.Add(new(key, ReadValue(depth + 1)));
        }

        return MsgPackValue.FromMap(entries);
    }

    private MsgPackValue ReadArray(int count, int depth)
    {
        CheckCount(count, 1);
        var items = new List<MsgPackValue>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(ReadValue(depth + 1));
        }

        return MsgPackValue.FromArray(items);
    }

    private MsgPackValue ReadString(int length)
    {
        var start = _offset;
        try
        {
            return MsgPackValue.FromString(StrictUtf8.GetString(Take(length)));
        }
        catch (DecoderFallbackException ex)
        {
            throw new AttestationFormatException($"msgpack: string at offset {start} is not valid UTF-8", ex);
        }
    }

    private int Length(int size)
    {
        var start = _offset;
        var bytes = Take(size);
        var value = size switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt32BigEndian(bytes),
        };
        if (value > (uint)(_data.Length - _offset))
        {
            throw new AttestationFormatException($"msgpack: length {value} at offset {start} exceeds the {_data.Length - _offset} bytes that remain");
        }

        return (int)value;
    }

    private void CheckCount(int count, int minBytesPerItem)
    {
        if ((long)count * minBytesPerItem > _data.Length - _offset)
        {
            throw new AttestationFormatException($"msgpack: {count} items cannot fit in the {_data.Length - _offset} bytes after offset {_offset}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _offset)
        {
            throw new AttestationFormatException($"msgpack: truncated at offset {_offset} (needs {count} bytes, {_data.Length - _offset} remain)");
        }

        var span = _data.Span.Slice(_offset, count);
        _offset += count;
        return span;
    }
}
