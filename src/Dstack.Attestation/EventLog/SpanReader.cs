using System.Buffers.Binary;

namespace Dstack.Attestation.EventLog;

/// <summary>Bounds-checked little-endian reader that reports the record and field when input runs out.</summary>
internal ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _what;

    public SpanReader(ReadOnlySpan<byte> data, string what)
    {
        _data = data;
        _what = what;
        Offset = 0;
    }

    public int Offset { get; private set; }

    public readonly int Remaining => _data.Length - Offset;

    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    public ushort ReadUInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));

    public byte ReadByte(string field) => Take(1, field)[0];

    public ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || count > Remaining)
        {
            throw new EventLogFormatException(
                $"{_what}: field '{field}' at offset {Offset} needs {count} bytes but only {Remaining} remain");
        }

        var slice = _data.Slice(Offset, count);
        Offset += count;
        return slice;
    }
}
