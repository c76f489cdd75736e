using System.Text;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Devices;

/// <summary>
/// An immutable, parsed copy of the runtime event log: the events in extension order, their event-log entries (digest
/// computed once) and what they add to an attestation. <see cref="RuntimeEventEmitter"/> keeps the current one and
/// replaces it only when the file grows, so readers never re-parse the log per request.
/// </summary>
public sealed class RuntimeEventLogSnapshot
{
    /// <summary>Bytes an event adds to an attestation besides its name and payload: the 48-byte digest and framing.</summary>
    public const int AttestationOverheadBytes = 64;

    private RuntimeEventLogSnapshot(RuntimeEvent[] events, TdxEvent[] tdxEvents, long attestationBytes)
    {
        Events = events;
        TdxEvents = tdxEvents;
        AttestationBytes = attestationBytes;
    }

    /// <summary>The log with no events.</summary>
    public static RuntimeEventLogSnapshot Empty { get; } = new([], [], 0);

    /// <summary>The runtime events, in extension order.</summary>
    public IReadOnlyList<RuntimeEvent> Events { get; }

    /// <summary>The event-log entries of <see cref="Events"/> (imr 3, type 0x08000001, digest and V2 preimage).</summary>
    public IReadOnlyList<TdxEvent> TdxEvents { get; }

    /// <summary>The sum of <see cref="AttestationFootprint"/> over the events.</summary>
    public long AttestationBytes { get; }

    /// <summary>
    /// What one event adds to an attestation in the largest encoding: its name and payload in the event log, again in
    /// <c>runtime_events</c> and again in a V2 preimage, plus <see cref="AttestationOverheadBytes"/>.
    /// </summary>
    public static long AttestationFootprint(string name, int payloadLength)
    {
        ArgumentNullException.ThrowIfNull(name);
        return (3L * (Encoding.UTF8.GetByteCount(name) + payloadLength)) + AttestationOverheadBytes;
    }

    /// <summary>This snapshot followed by <paramref name="more"/>.</summary>
    internal RuntimeEventLogSnapshot Append(IReadOnlyList<RuntimeEvent> more)
    {
        if (more.Count == 0)
        {
            return this;
        }

        var events = new RuntimeEvent[Events.Count + more.Count];
        var tdxEvents = new TdxEvent[events.Length];
        ((RuntimeEvent[])Events).CopyTo(events, 0);
        ((TdxEvent[])TdxEvents).CopyTo(tdxEvents, 0);
        var bytes = AttestationBytes;
        for (var i = 0; i < more.Count; i++)
        {
            events[Events.Count + i] = more[i];
            tdxEvents[Events.Count + i] = more[i].ToTdxEvent();
            bytes += AttestationFootprint(more[i].Name, more[i].Payload.Length);
        }

        return new RuntimeEventLogSnapshot(events, tdxEvents, bytes);
    }
}
