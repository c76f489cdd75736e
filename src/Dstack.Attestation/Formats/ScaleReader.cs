using System.Buffers.Binary;
using System.Text;

namespace Dstack.Attestation.Formats;

/// <summary>Reads SCALE (parity-scale-codec) values, checking every length against the input that remains.</summary>
internal sealed class ScaleReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private readonly ReadOnlyMemory<byte> _data;

    public ScaleReader(ReadOnlyMemory<byte> data) => _data = data;

    public int Offset { get; private set; }

    public int Remaining => _data.Length - Offset;

    public byte ReadByte(ScaleField field) => Take(1, field)[0];

    public uint ReadUInt32(ScaleField field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    /// <summary>A compact integer that must fit in an int.</summary>
    public int ReadCompactLength(ScaleField field)
    {
        var start = Offset;
        var first = ReadByte(field);
        ulong value = (first & 3) switch
        {
            0 => (ulong)(first >> 2),
            1 => (ulong)(BinaryPrimitives.ReadUInt16LittleEndian([first, ReadByte(field)]) >> 2),
            2 => BinaryPrimitives.ReadUInt32LittleEndian([first, .. Take(3, field)]) >> 2,
            _ => ReadBigCompact(first, field),
        };
        if (value > int.MaxValue)
        {
            throw Error(field, start, $"compact length {value} is too large");
        }

        return (int)value;
    }

    /// <summary>A compact count of items that each take at least <paramref name="minItemSize"/> bytes, at most <paramref name="maxCount"/>.</summary>
    /// <remarks>The count is bounded by the input that remains and by <paramref name="maxCount"/>, so a list sized by it costs at most a fixed multiple of the input.</remarks>
    public int ReadCount(ScaleField field, int minItemSize, int maxCount)
    {
        var start = Offset;
        var count = ReadCompactLength(field);
        if (count > maxCount)
        {
            throw Error(field, start, $"count {count} exceeds the {maxCount} accepted");
        }

        if ((long)count * minItemSize > Remaining)
        {
            throw Error(field, start, $"count {count} cannot fit in the {Remaining} bytes that remain");
        }

        return count;
    }

    public ulong ReadUInt64(ScaleField field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));

    /// <summary>A bool byte, 0 or 1 (also the tag of an <c>Option</c>).</summary>
    public bool ReadBool(ScaleField field)
    {
        var start = Offset;
        return ReadByte(field) switch
        {
            0 => false,
            1 => true,
            var other => throw Error(field, start, $"byte {other} is neither 0 nor 1"),
        };
    }

    /// <summary>The bytes not read yet; the reader moves to the end.</summary>
    public byte[] ReadRest(ScaleField field) => Take(Remaining, field).ToArray();

    public byte[] ReadBytes(ScaleField field)
    {
        var start = Offset;
        var length = ReadCompactLength(field);
        if (length > Remaining)
        {
            throw Error(field, start, $"length {length} exceeds the {Remaining} bytes that remain");
        }

        return Take(length, field).ToArray();
    }

    public string ReadString(ScaleField field)
    {
        var start = Offset;
        var length = ReadCompactLength(field);
        if (length > Remaining)
        {
            throw Error(field, start, $"length {length} exceeds the {Remaining} bytes that remain");
        }

        var bytes = Take(length, field);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new AttestationFormatException($"SCALE field '{field}' at offset {start}: not valid UTF-8", ex);
        }
    }

    public ReadOnlySpan<byte> Take(int count, ScaleField field)
    {
        if (count < 0 || count > Remaining)
        {
            throw Error(field, Offset, $"needs {count} bytes but only {Remaining} remain");
        }

        var span = _data.Span.Slice(Offset, count);
        Offset += count;
        return span;
    }

    private ulong ReadBigCompact(byte first, ScaleField field)
    {
        var start = Offset - 1;
        var byteCount = (first >> 2) + 4;
        if (byteCount > 8)
        {
            throw Error(field, start, $"compact integer of {byteCount} bytes is too large");
        }

        Span<byte> buffer = stackalloc byte[8];
        Take(byteCount, field).CopyTo(buffer);
        return BinaryPrimitives.ReadUInt64LittleEndian(buffer);
    }

    private static AttestationFormatException Error(ScaleField field, int offset, string problem)
        => new($"SCALE field '{field}' at offset {offset}: {problem}");
}
