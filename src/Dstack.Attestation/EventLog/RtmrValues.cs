namespace Dstack.Attestation.EventLog;

/// <summary>The four runtime measurement registers RTMR0–3 (48 bytes each).</summary>
public sealed class RtmrValues
{
    private readonly byte[][] _values;

    /// <summary>Creates the set from four 48-byte values.</summary>
    public RtmrValues(ReadOnlySpan<byte> rtmr0, ReadOnlySpan<byte> rtmr1, ReadOnlySpan<byte> rtmr2, ReadOnlySpan<byte> rtmr3)
    {
        _values = [Check(rtmr0, 0), Check(rtmr1, 1), Check(rtmr2, 2), Check(rtmr3, 3)];
    }

    private RtmrValues(byte[][] values) => _values = values;

    /// <summary>Number of registers.</summary>
    public const int Count = 4;

    /// <summary>Size of one register.</summary>
    public const int Size = 48;

    /// <summary>Returns a copy of register <paramref name="index"/> (0–3).</summary>
    public byte[] this[int index] => (byte[])_values[CheckIndex(index)].Clone();

    /// <summary>All registers zero, as at TD creation.</summary>
    public static RtmrValues Zero() => new([new byte[Size], new byte[Size], new byte[Size], new byte[Size]]);

    /// <summary>Register <paramref name="index"/> as lowercase hex.</summary>
    public string ToHex(int index) => Convert.ToHexStringLower(_values[CheckIndex(index)]);

    internal static RtmrValues Wrap(byte[][] values) => new(values);

    internal ReadOnlySpan<byte> Span(int index) => _values[CheckIndex(index)];

    private static int CheckIndex(int index) => index is >= 0 and < Count
        ? index
        : throw new ArgumentOutOfRangeException(nameof(index), index, "RTMR index must be 0..3");

    private static byte[] Check(ReadOnlySpan<byte> value, int index) => value.Length == Size
        ? value.ToArray()
        : throw new ArgumentException($"RTMR{index} must be {Size} bytes, got {value.Length}", nameof(value));
}
