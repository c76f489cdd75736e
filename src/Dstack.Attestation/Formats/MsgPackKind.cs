namespace Dstack.Attestation.Formats;

/// <summary>The kinds of msgpack value the minimal reader understands.</summary>
internal enum MsgPackKind
{
    Nil,
    Boolean,
    Integer,
    String,
    Binary,
    Array,
    Map,
}
