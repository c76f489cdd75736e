namespace Dstack.Attestation.Devices;

/// <summary>Settings of <see cref="RuntimeEventEmitter"/>.</summary>
public sealed record RuntimeEventEmitterOptions
{
    /// <summary>Digest version used for every event of this boot: 1 (default) or 2.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Longest accepted event name, in characters.</summary>
    public int MaxNameLength { get; init; } = 256;

    /// <summary>Largest accepted payload.</summary>
    public int MaxPayloadBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Most events the runtime log may hold: the replay cap of verifiers (<see cref="EventLog.ReplayLimits.MaxEvents"/>)
    /// less <see cref="ReservedBootEvents"/> for the boot events that precede them in every event log.
    /// </summary>
    public int MaxLogEvents { get; init; } = EventLog.ReplayLimits.Default.MaxEvents - ReservedBootEvents;

    /// <summary>
    /// Most bytes the runtime events may add to an attestation (<see cref="RuntimeEventLogSnapshot.AttestationFootprint"/>):
    /// half of what a verifier decodes (<see cref="Formats.AttestationCodec.MaxSize"/>), the other half left for the quote and
    /// the boot log. It is also below the replay cap on total bytes.
    /// </summary>
    public long MaxLogAttestationBytes { get; init; } = Formats.AttestationCodec.MaxSize / 2;

    /// <summary>Events of the replay cap left to the boot log (CCEL) of a TD.</summary>
    public const int ReservedBootEvents = 1000;

    /// <summary>Test seam: appends one line to the log file (the default opens it in append mode, writes and flushes to disk).</summary>
    internal Func<string, ReadOnlyMemory<byte>, Task>? AppendLine { get; init; }

    /// <summary>How often a held lock is retried.</summary>
    public TimeSpan LockRetryInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Clock for lock retries.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
