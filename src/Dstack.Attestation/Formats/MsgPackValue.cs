namespace Dstack.Attestation.Formats;

/// <summary>A decoded msgpack value: scalar, byte string, array or map (map keys kept in order).</summary>
internal sealed class MsgPackValue
{
    private MsgPackValue(MsgPackKind kind) => Kind = kind;

    public MsgPackKind Kind { get; }

    public long Integer { get; private init; }

    public ulong UnsignedInteger { get; private init; }

    public bool IsNegative { get; private init; }

    public string Text { get; private init; } = string.Empty;

    public byte[] Bytes { get; private init; } = [];

    public IReadOnlyList<MsgPackValue> Items { get; private init; } = [];

    public IReadOnlyList<KeyValuePair<MsgPackValue, MsgPackValue>> Entries { get; private init; } = [];

    public static MsgPackValue Nil { get; } = new(MsgPackKind.Nil);

    public static MsgPackValue FromBoolean(bool value) => new(MsgPackKind.Boolean) { Integer = value ? 1 : 0 };

    public static MsgPackValue FromUnsigned(ulong value) => new(MsgPackKind.Integer) { UnsignedInteger = value, Integer = unchecked((long)value) };

    public static MsgPackValue FromSigned(long value) => value >= 0
        ? FromUnsigned((ulong)value)
        : new(MsgPackKind.Integer) { Integer = value, IsNegative = true };

    public static MsgPackValue FromString(string value) => new(MsgPackKind.String) { Text = value };

    public static MsgPackValue FromBinary(byte[] value) => new(MsgPackKind.Binary) { Bytes = value };

    public static MsgPackValue FromArray(IReadOnlyList<MsgPackValue> items) => new(MsgPackKind.Array) { Items = items };

    public static MsgPackValue FromMap(IReadOnlyList<KeyValuePair<MsgPackValue, MsgPackValue>> entries) => new(MsgPackKind.Map) { Entries = entries };
}
