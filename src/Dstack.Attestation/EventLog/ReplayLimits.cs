namespace Dstack.Attestation.EventLog;

/// <summary>Input caps for replaying an untrusted event log.</summary>
/// <param name="MaxEvents">Most events accepted in one log.</param>
/// <param name="MaxPayloadBytes">Largest single event payload (or preimage).</param>
/// <param name="MaxTotalBytes">Largest sum of all digests, names, payloads and preimages.</param>
public sealed record ReplayLimits(int MaxEvents = 10_000, int MaxPayloadBytes = 1 << 20, long MaxTotalBytes = 16L << 20)
{
    /// <summary>The default caps: 10 000 events, 1 MiB per payload, 16 MiB in total.</summary>
    public static ReplayLimits Default { get; } = new();
}
