using System.Text.Json.Serialization;

namespace Dstack.Attestation.EventLog;

/// <summary>One line of <c>runtime_events.log</c>: <c>{"event":…,"payload":"&lt;base64&gt;"}</c> plus <c>"version":2</c> for V2.</summary>
internal sealed class RuntimeEventLogLine
{
    [JsonPropertyName("event")]
    [JsonPropertyOrder(0)]
    public required string Event { get; init; }

    /// <summary>Standard base64 with padding (System.Text.Json's byte[] encoding).</summary>
    [JsonPropertyName("payload")]
    [JsonPropertyOrder(1)]
    public required byte[] Payload { get; init; }

    [JsonPropertyName("version")]
    [JsonPropertyOrder(2)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Version { get; init; }
}
