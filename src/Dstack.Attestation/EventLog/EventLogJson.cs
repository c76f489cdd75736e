using System.Text.Json;

namespace Dstack.Attestation.EventLog;

/// <summary>Reads and writes the JSON array form of the event log (spec tdx-boot §3.5).</summary>
public static class EventLogJson
{
    /// <summary>Serialises <paramref name="events"/> compactly, keys in spec order, hex lowercase.</summary>
    public static string Serialize(IEnumerable<TdxEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return JsonSerializer.Serialize(events.ToList(), EventLogJsonContext.Default.ListTdxEvent);
    }

    /// <summary>Parses a JSON array of events.</summary>
    /// <exception cref="EventLogFormatException">The text is not a valid event array.</exception>
    public static IReadOnlyList<TdxEvent> Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize(json, EventLogJsonContext.Default.ListTdxEvent)
                ?? throw new EventLogFormatException("event log JSON is null");
        }
        catch (JsonException ex)
        {
            throw new EventLogFormatException($"invalid event log JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Parses one JSON array element already positioned in a document.</summary>
    internal static IReadOnlyList<TdxEvent> Deserialize(JsonElement array)
    {
        try
        {
            return array.Deserialize(EventLogJsonContext.Default.ListTdxEvent)
                ?? throw new EventLogFormatException("event log JSON is null");
        }
        catch (JsonException ex)
        {
            throw new EventLogFormatException($"invalid event log JSON: {ex.Message}", ex);
        }
    }
}
