using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Dstack.Attestation.Formats;

/// <summary>Writes SCALE values (compact lengths in their shortest form).</summary>
internal sealed class ScaleWriter
{
    private readonly ArrayBufferWriter<byte> _stream = new();

    public void WriteByte(byte value) => _stream.Write([value]);

    public void WriteUInt32(uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        _stream.Write(buffer);
    }

    public void WriteUInt64(ulong value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        _stream.Write(buffer);
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteCompact(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        Span<byte> buffer = stackalloc byte[5];
        if (value < 1 << 6)
        {
            _stream.Write([(byte)(value << 2)]);
        }
        else if (value < 1 << 14)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)((value << 2) | 1));
            _stream.Write(buffer[..2]);
        }
        else if (value < 1 << 30)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer, ((uint)value << 2) | 2);
            _stream.Write(buffer[..4]);
        }
        else
        {
            buffer[0] = 3; // big-integer mode, 4 bytes follow
            BinaryPrimitives.WriteUInt32LittleEndian(buffer[1..], (uint)value);
            _stream.Write(buffer);
        }
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteCompact(bytes.Length);
        _stream.Write(bytes);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

    public void WriteString(string value) => WriteBytes(Encoding.UTF8.GetBytes(value));

    public byte[] ToArray() => _stream.WrittenSpan.ToArray();
}
