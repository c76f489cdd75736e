using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;

namespace Dstack.Agent.Platform;

/// <summary>
/// The event log that replays to a quote: the boot events followed by the first <see cref="Covered"/> events of a runtime
/// log snapshot. Immutable; <see cref="QuoteService"/> hands out the same instance while the snapshot and the covered
/// count stay the same, so its JSON text is built once.
/// </summary>
internal sealed class AttestedEventLog
{
    private string? _json;

    public AttestedEventLog(IReadOnlyList<TdxEvent> boot, RuntimeEventLogSnapshot snapshot, int covered)
    {
        Snapshot = snapshot;
        Covered = covered;
        RuntimeEvents = covered == snapshot.Events.Count ? snapshot.Events : [.. snapshot.Events.Take(covered)];
        Events = [.. boot, .. snapshot.TdxEvents.Take(covered)];
    }

    /// <summary>The runtime log snapshot this log was cut from.</summary>
    public RuntimeEventLogSnapshot Snapshot { get; }

    /// <summary>How many of the snapshot's events the quote covers.</summary>
    public int Covered { get; }

    /// <summary>Boot events (CCEL) followed by the covered runtime events, each with its digest.</summary>
    public IReadOnlyList<TdxEvent> Events { get; }

    /// <summary>The covered runtime events, in extension order.</summary>
    public IReadOnlyList<RuntimeEvent> RuntimeEvents { get; }

    /// <summary><see cref="Events"/> as dstack's <c>event_log</c> JSON text (spec §2.3).</summary>
    public string Json => _json ??= EventLogJson.Serialize(Events);
}
