using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Dstack.Kms.Csr;

/// <summary>Writes the SCALE primitives a CSR uses.</summary>
internal sealed class ScaleEncoder
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>A compact length (up to 2^30 − 1).</summary>
    public void WriteCompact(int value)
    {
        switch (value)
        {
            case < 0:
                throw new ArgumentOutOfRangeException(nameof(value));
            case < 1 << 6:
                WriteRaw([(byte)(value << 2)]);
                break;
            case < 1 << 14:
                var two = new byte[2];
                BinaryPrimitives.WriteUInt16LittleEndian(two, (ushort)((value << 2) | 1));
                WriteRaw(two);
                break;
            case < 1 << 30:
                var four = new byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(four, ((uint)value << 2) | 2);
                WriteRaw(four);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(value));
        }
    }

    /// <summary>A length-prefixed byte vector.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteCompact(bytes.Length);
        WriteRaw(bytes);
    }

    /// <summary>A length-prefixed UTF-8 string.</summary>
    public void WriteString(string value) => WriteBytes(Encoding.UTF8.GetBytes(value));

    /// <summary>A bool byte.</summary>
    public void WriteBool(bool value) => WriteRaw([value ? (byte)1 : (byte)0]);

    /// <summary>An <c>Option&lt;String&gt;</c>.</summary>
    public void WriteOptionalString(string? value)
    {
        WriteBool(value is not null);
        if (value is not null)
        {
            WriteString(value);
        }
    }

    /// <summary>An <c>Option&lt;u64&gt;</c>.</summary>
    public void WriteOptionalUInt64(ulong? value)
    {
        WriteBool(value.HasValue);
        if (value is { } v)
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, v);
            WriteRaw(bytes);
        }
    }

    /// <summary>A <c>Vec&lt;String&gt;</c>.</summary>
    public void WriteStringList(IReadOnlyList<string> values)
    {
        WriteCompact(values.Count);
        foreach (var value in values)
        {
            WriteString(value);
        }
    }

    /// <summary>Raw bytes, no prefix.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    /// <summary>The encoding so far.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
