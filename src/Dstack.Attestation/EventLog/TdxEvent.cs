using System.Text.Json.Serialization;

namespace Dstack.Attestation.EventLog;

/// <summary>
/// One entry of the exposed event log (spec tdx-boot §3.5, guest-agent-api §5.1). Serialises as
/// <c>{"imr":…,"event_type":…,"digest":"&lt;hex&gt;","event":…,"event_payload":"&lt;hex&gt;"}</c>, plus
/// <c>"version":2</c> and <c>"preimage":"&lt;hex&gt;"</c> only when present.
/// </summary>
public sealed record TdxEvent
{
    /// <summary>0-based RTMR index (CCEL MrIndex − 1).</summary>
    [JsonPropertyName("imr")]
    [JsonPropertyOrder(0)]
    public required uint Imr { get; init; }

    /// <summary>TCG event type, or <see cref="TdxEventTypes.DstackRuntimeEvent"/> for runtime events.</summary>
    [JsonPropertyName("event_type")]
    [JsonPropertyOrder(1)]
    public required uint EventType { get; init; }

    /// <summary>The logged digest (48 bytes for SHA-384; empty in stripped logs).</summary>
    [JsonPropertyName("digest")]
    [JsonPropertyOrder(2)]
    [JsonConverter(typeof(HexBytesJsonConverter))]
    public required byte[] Digest { get; init; }

    /// <summary>Event name: empty for boot events except the ACPI labels, the runtime event name otherwise.</summary>
    [JsonPropertyName("event")]
    [JsonPropertyOrder(3)]
    public required string Event { get; init; }

    /// <summary>Raw event data (may be empty in stripped logs).</summary>
    [JsonPropertyName("event_payload")]
    [JsonPropertyOrder(4)]
    [JsonConverter(typeof(HexBytesJsonConverter))]
    public required byte[] EventPayload { get; init; }

    /// <summary>Runtime-event digest version; present only as 2 (absent means 1).</summary>
    [JsonPropertyName("version")]
    [JsonPropertyOrder(5)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Version { get; init; }

    /// <summary>For V2 runtime events: the exact bytes hashed into <see cref="Digest"/>.</summary>
    [JsonPropertyName("preimage")]
    [JsonPropertyOrder(6)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(HexBytesJsonConverter))]
    public byte[]? Preimage { get; init; }

    /// <summary>True for a dstack runtime event (event type 0x08000001 in RTMR3).</summary>
    [JsonIgnore]
    public bool IsRuntimeEvent => EventType == TdxEventTypes.DstackRuntimeEvent && Imr == TdxEventTypes.RuntimeEventImr;
}
