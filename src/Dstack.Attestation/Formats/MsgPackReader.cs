using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Dstack.Attestation.Formats;

/// <summary>
/// A minimal, allocation-free msgpack cursor over one buffer: nil, booleans, integers, str, bin, arrays and maps.
/// Floats and extension types are rejected with a clear error; every length is checked against the input that
/// remains and nesting is bounded. Nothing is materialised unless a caller asks for one value (a map's named fields
/// are located by <see cref="FindFields"/>, everything else is skipped), so what a decode allocates is bounded by
/// what the caller keeps, not by the counts an input declares.
/// </summary>
internal sealed class MsgPackReader
{
    /// <summary>Deepest nesting accepted.</summary>
    public const int MaxDepth = 32;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private readonly ReadOnlyMemory<byte> _data;

    public MsgPackReader(ReadOnlyMemory<byte> data) => _data = data;

    /// <summary>Current position in the input.</summary>
    public int Offset { get; private set; }

    /// <summary>Bytes not read yet.</summary>
    public int Remaining => _data.Length - Offset;

    /// <summary>Moves to <paramref name="offset"/> (a position an earlier call reported).</summary>
    public void Seek(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, _data.Length);
        Offset = offset;
    }

    /// <summary>The kind of the value at the current position, without moving.</summary>
    public MsgPackKind PeekKind()
    {
        if (Remaining < 1)
        {
            throw Truncated(1);
        }

        var b = _data.Span[Offset];
        return b switch
        {
            <= 0x7f or >= 0xe0 or (>= 0xcc and <= 0xd3) => MsgPackKind.Integer,
            <= 0x8f or 0xde or 0xdf => MsgPackKind.Map,
            <= 0x9f or 0xdc or 0xdd => MsgPackKind.Array,
            <= 0xbf or (>= 0xd9 and <= 0xdb) => MsgPackKind.String,
            0xc0 => MsgPackKind.Nil,
            0xc2 or 0xc3 => MsgPackKind.Boolean,
            >= 0xc4 and <= 0xc6 => MsgPackKind.Binary,
            _ => throw Unsupported(b, Offset),
        };
    }

    /// <summary>Reads a map header; the reader moves to the first key.</summary>
    public int ReadMapHeader()
    {
        var start = Offset;
        var b = Take(1)[0];
        var count = b switch
        {
            >= 0x80 and <= 0x8f => b & 0x0f,
            0xde => Length(2),
            0xdf => Length(4),
            _ => throw new AttestationFormatException($"msgpack: value at offset {start} is not a map"),
        };
        CheckCount(count, 2);
        return count;
    }

    /// <summary>Reads an array header; the reader moves to the first item.</summary>
    public int ReadArrayHeader()
    {
        var start = Offset;
        var b = Take(1)[0];
        var count = b switch
        {
            >= 0x90 and <= 0x9f => b & 0x0f,
            0xdc => Length(2),
            0xdd => Length(4),
            _ => throw new AttestationFormatException($"msgpack: value at offset {start} is not an array"),
        };
        CheckCount(count, 1);
        return count;
    }

    /// <summary>
    /// Walks the map at the current position and returns, for each of <paramref name="names"/>, the offset of its value
    /// (−1 when absent; the first occurrence wins). Every key and value is checked; the reader moves past the map.
    /// </summary>
    public int[] FindFields(params ReadOnlySpan<string> names)
    {
        var found = new int[names.Length];
        found.AsSpan().Fill(-1);
        var count = ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            var index = -1;
            if (PeekKind() == MsgPackKind.String)
            {
                var key = ReadStringSpan();
                for (var n = 0; n < names.Length && index < 0; n++)
                {
                    if (AsciiEquals(key, names[n]))
                    {
                        index = n;
                    }
                }
            }
            else
            {
                Skip(1);
            }

            if (index >= 0 && found[index] < 0)
            {
                found[index] = Offset;
            }

            Skip(1);
        }

        return found;
    }

    /// <summary>Reads an integer as a signed 64-bit value (unsigned values above <see cref="long.MaxValue"/> are an error).</summary>
    public bool TryReadInt64(out long value)
    {
        var b = Take(1)[0];
        switch (b)
        {
            case <= 0x7f:
                value = b;
                return true;
            case >= 0xe0:
                value = (sbyte)b;
                return true;
            case 0xcc:
                value = Take(1)[0];
                return true;
            case 0xcd:
                value = BinaryPrimitives.ReadUInt16BigEndian(Take(2));
                return true;
            case 0xce:
                value = BinaryPrimitives.ReadUInt32BigEndian(Take(4));
                return true;
            case 0xcf:
                var unsigned = BinaryPrimitives.ReadUInt64BigEndian(Take(8));
                value = unchecked((long)unsigned);
                return unsigned <= long.MaxValue;
            case 0xd0:
                value = (sbyte)Take(1)[0];
                return true;
            case 0xd1:
                value = BinaryPrimitives.ReadInt16BigEndian(Take(2));
                return true;
            case 0xd2:
                value = BinaryPrimitives.ReadInt32BigEndian(Take(4));
                return true;
            case 0xd3:
                value = BinaryPrimitives.ReadInt64BigEndian(Take(8));
                return true;
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>Reads a str value as text (strict UTF-8).</summary>
    public string ReadString()
    {
        var start = Offset;
        var bytes = ReadStringSpan();
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new AttestationFormatException($"msgpack: string at offset {start} is not valid UTF-8", ex);
        }
    }

    /// <summary>Reads a bin value (the bytes are copied).</summary>
    public byte[] ReadBinary()
    {
        var start = Offset;
        var b = Take(1)[0];
        var length = b switch
        {
            0xc4 => Length(1),
            0xc5 => Length(2),
            0xc6 => Length(4),
            _ => throw new AttestationFormatException($"msgpack: value at offset {start} is not bin"),
        };
        return Take(length).ToArray();
    }

    /// <summary>Skips <paramref name="values"/> complete values, checking each one (types, lengths, UTF-8, depth).</summary>
    public void Skip(int values) => Skip(values, 0);

    private void Skip(long values, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new AttestationFormatException($"msgpack: nesting deeper than {MaxDepth} at offset {Offset}");
        }

        for (long v = 0; v < values; v++)
        {
            var start = Offset;
            var b = Take(1)[0];
            switch (b)
            {
                case <= 0x7f or >= 0xe0 or 0xc0 or 0xc2 or 0xc3:
                    break;
                case <= 0x8f:
                    Offset = start;
                    Skip(2L * ReadMapHeader(), depth + 1);
                    break;
                case <= 0x9f:
                    Offset = start;
                    Skip(ReadArrayHeader(), depth + 1);
                    break;
                case <= 0xbf:
                    CheckUtf8(Take(b & 0x1f), start);
                    break;
                case 0xc4:
                    Take(Length(1));
                    break;
                case 0xc5:
                    Take(Length(2));
                    break;
                case 0xc6:
                    Take(Length(4));
                    break;
                case 0xcc or 0xd0:
                    Take(1);
                    break;
                case 0xcd or 0xd1:
                    Take(2);
                    break;
                case 0xce or 0xd2:
                    Take(4);
                    break;
                case 0xcf or 0xd3:
                    Take(8);
                    break;
                case 0xd9:
                    CheckUtf8(Take(Length(1)), start);
                    break;
                case 0xda:
                    CheckUtf8(Take(Length(2)), start);
                    break;
                case 0xdb:
                    CheckUtf8(Take(Length(4)), start);
                    break;
                case 0xdc or 0xdd:
                    Offset = start;
                    Skip(ReadArrayHeader(), depth + 1);
                    break;
                case 0xde or 0xdf:
                    Offset = start;
                    Skip(2L * ReadMapHeader(), depth + 1);
                    break;
                default:
                    throw Unsupported(b, start);
            }
        }
    }

    private ReadOnlySpan<byte> ReadStringSpan()
    {
        var start = Offset;
        var b = Take(1)[0];
        var length = b switch
        {
            >= 0xa0 and <= 0xbf => b & 0x1f,
            0xd9 => Length(1),
            0xda => Length(2),
            0xdb => Length(4),
            _ => throw new AttestationFormatException($"msgpack: value at offset {start} is not a string"),
        };
        var bytes = Take(length);
        CheckUtf8(bytes, start);
        return bytes;
    }

    private static void CheckUtf8(ReadOnlySpan<byte> bytes, int start)
    {
        if (!Utf8.IsValid(bytes))
        {
            throw new AttestationFormatException($"msgpack: string at offset {start} is not valid UTF-8");
        }
    }

    private static bool AsciiEquals(ReadOnlySpan<byte> key, string name)
    {
        if (key.Length != name.Length)
        {
            return false;
        }

        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] != name[i])
            {
                return false;
            }
        }

        return true;
    }

    private int Length(int size)
    {
        var start = Offset;
        var bytes = Take(size);
        var value = size switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt32BigEndian(bytes),
        };
        if (value > (uint)Remaining)
        {
            throw new AttestationFormatException($"msgpack: length {value} at offset {start} exceeds the {Remaining} bytes that remain");
        }

        return (int)value;
    }

    private void CheckCount(int count, int minBytesPerItem)
    {
        if ((long)count * minBytesPerItem > Remaining)
        {
            throw new AttestationFormatException($"msgpack: {count} items cannot fit in the {Remaining} bytes after offset {Offset}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw Truncated(count);
        }

        var span = _data.Span.Slice(Offset, count);
        Offset += count;
        return span;
    }

    private AttestationFormatException Truncated(int count)
        => new($"msgpack: truncated at offset {Offset} (needs {count} bytes, {Remaining} remain)");

    private static AttestationFormatException Unsupported(byte b, int offset)
        => new($"msgpack: unsupported type byte 0x{b:x2} (float or extension) at offset {offset}");
}
