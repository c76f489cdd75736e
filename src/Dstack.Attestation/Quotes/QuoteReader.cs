using System.Buffers.Binary;

namespace Dstack.Attestation.Quotes;

/// <summary>Bounds-checked little-endian reader over an untrusted quote; every failure is a <see cref="QuoteFormatException"/>.</summary>
internal ref struct QuoteReader
{
    private readonly ReadOnlySpan<byte> _data;

    public QuoteReader(ReadOnlySpan<byte> data, int position = 0)
    {
        _data = data;
        Position = position;
    }

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public ushort ReadUInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2, field));

    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, field));

    public ReadOnlySpan<byte> ReadBytes(int count, string field)
    {
        if (count < 0 || count > Remaining)
        {
            throw new QuoteFormatException(field, Position, $"truncated: need {count} bytes, {Math.Max(Remaining, 0)} left");
        }

        var slice = _data.Slice(Position, count);
        Position += count;
        return slice;
    }

    /// <summary>Reads a u32 length and checks it fits in what is left before reading that many bytes.</summary>
    public ReadOnlySpan<byte> ReadLengthPrefixed32(string field)
    {
        var at = Position;
        var length = ReadUInt32(field + " size");
        if (length > (uint)Remaining)
        {
            throw new QuoteFormatException(field, at, $"declared size {length} exceeds the {Remaining} bytes left");
        }

        return ReadBytes((int)length, field);
    }
}
