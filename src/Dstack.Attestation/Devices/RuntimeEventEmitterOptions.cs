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

    /// <summary>How often a held lock is retried.</summary>
    public TimeSpan LockRetryInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Clock for lock retries.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
