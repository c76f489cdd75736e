using System.Text;
using System.Text.Json;

namespace Dstack.Attestation.EventLog;

/// <summary>
/// The runtime event log file (<c>runtime_events.log</c>): one JSON line per event in extension order
/// (spec tdx-boot §3.4). Blank lines are skipped; a missing file holds no events.
/// </summary>
public static class RuntimeEventLog
{
    /// <summary>File name of the log inside its directory.</summary>
    public const string FileName = "runtime_events.log";

    /// <summary>Formats one line (without the trailing newline).</summary>
    public static string FormatLine(RuntimeEvent runtimeEvent)
    {
        ArgumentNullException.ThrowIfNull(runtimeEvent);
        if (runtimeEvent.Version is not (1 or 2))
        {
            throw new ArgumentException($"unsupported runtime event version {runtimeEvent.Version}", nameof(runtimeEvent));
        }

        var line = new RuntimeEventLogLine
        {
            Event = runtimeEvent.Name,
            Payload = runtimeEvent.Payload,
            Version = runtimeEvent.Version == 2 ? 2 : null,
        };
        return JsonSerializer.Serialize(line, EventLogJsonContext.Default.RuntimeEventLogLine);
    }

    /// <summary>Parses the whole text of a runtime log.</summary>
    /// <exception cref="EventLogFormatException">A line is not a valid runtime event, or a limit is exceeded.</exception>
    public static IReadOnlyList<RuntimeEvent> Parse(string text, ReplayLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        limits ??= ReplayLimits.Default;
        if (text.Length > limits.MaxTotalBytes * 2)
        {
            throw new EventLogFormatException($"runtime event log exceeds {limits.MaxTotalBytes * 2} characters");
        }

        var events = new List<RuntimeEvent>();
        ParseLines(text, limits, 1, 0, events);
        return events;
    }

    /// <summary>
    /// Parses the lines of <paramref name="text"/> (numbered from <paramref name="firstLineNumber"/>) and appends the
    /// events to <paramref name="events"/>; <paramref name="eventsBefore"/> earlier events of the same log count towards the cap.
    /// </summary>
    internal static void ParseLines(string text, ReplayLimits limits, int firstLineNumber, int eventsBefore, List<RuntimeEvent> events)
    {
        var lineNumber = firstLineNumber - 1;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            events.Add(ParseLine(line, lineNumber, eventsBefore + events.Count, limits));
        }
    }

    /// <summary>Parses one non-blank line; <paramref name="eventsBefore"/> events precede it in the log.</summary>
    internal static RuntimeEvent ParseLine(string line, int lineNumber, int eventsBefore, ReplayLimits limits)
    {
        if (eventsBefore >= limits.MaxEvents)
        {
            throw new EventLogFormatException($"runtime event log has more than {limits.MaxEvents} events");
        }

        RuntimeEventLogLine? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(line, EventLogJsonContext.Default.RuntimeEventLogLine);
        }
        catch (JsonException ex)
        {
            throw new EventLogFormatException($"runtime event log line {lineNumber}: {ex.Message}", ex);
        }

        if (parsed is null)
        {
            throw new EventLogFormatException($"runtime event log line {lineNumber}: null");
        }

        var version = parsed.Version ?? 1;
        if (version is not (1 or 2))
        {
            throw new EventLogFormatException($"runtime event log line {lineNumber}: unsupported version {version}");
        }

        if (parsed.Payload.Length > limits.MaxPayloadBytes)
        {
            throw new EventLogFormatException($"runtime event log line {lineNumber}: payload exceeds {limits.MaxPayloadBytes} bytes");
        }

        return new RuntimeEvent(parsed.Event, parsed.Payload, version);
    }

    /// <summary>Reads the log at <paramref name="path"/>; a missing file gives an empty list.</summary>
    public static async Task<IReadOnlyList<RuntimeEvent>> ReadAsync(string path, CancellationToken cancellationToken, ReplayLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        limits ??= ReplayLimits.Default;
        string text;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.Length > limits.MaxTotalBytes * 2)
            {
                throw new EventLogFormatException($"runtime event log {path} is larger than {limits.MaxTotalBytes * 2} bytes");
            }

            using var reader = new StreamReader(stream, new UTF8Encoding(false, true));
            text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
        catch (DecoderFallbackException ex)
        {
            throw new EventLogFormatException($"runtime event log {path} is not valid UTF-8", ex);
        }

        return Parse(text, limits);
    }
}
