using System.Text.Json.Serialization;

namespace Dstack.Attestation.EventLog;

/// <summary>Source-generated JSON metadata for the event-log types.</summary>
[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(List<TdxEvent>))]
[JsonSerializable(typeof(RuntimeEventLogLine))]
internal sealed partial class EventLogJsonContext : JsonSerializerContext
{
}
