using Dstack.Attestation.EventLog;
using Dstack.Attestation.Quotes;

namespace Dstack.Agent.Platform;

/// <summary>A quote together with the event log that replays to its RTMRs.</summary>
internal sealed class TdAttestation
{
    /// <summary>The raw quote, as the device produced it.</summary>
    public required byte[] Quote { get; init; }

    /// <summary>The parsed quote.</summary>
    public required TdxQuote Parsed { get; init; }

    /// <summary>The 64 bytes of report data the quote binds.</summary>
    public required byte[] ReportData { get; init; }

    /// <summary>The event log that replays to the quote.</summary>
    public required AttestedEventLog Log { get; init; }

    /// <summary>Boot events (CCEL) followed by the runtime events RTMR3 covers, each with its digest.</summary>
    public IReadOnlyList<TdxEvent> EventLog => Log.Events;

    /// <summary>The runtime events RTMR3 covers, in extension order.</summary>
    public IReadOnlyList<RuntimeEvent> RuntimeEvents => Log.RuntimeEvents;

    /// <summary>MRTD, RTMR0–3 and the owner registers from the quote.</summary>
    public TdMeasurements Measurements => TdMeasurements.Of(Parsed);
}
