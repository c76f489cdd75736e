namespace Dstack.Attestation.EventLog;

/// <summary>Outcome of comparing a replay with the quoted RTMRs.</summary>
/// <param name="Replayed">The replayed registers.</param>
/// <param name="Mismatches">Registers that differ; empty when the log matches.</param>
public sealed record ReplayCheck(RtmrValues Replayed, IReadOnlyList<RtmrMismatch> Mismatches)
{
    /// <summary>True when every register matched.</summary>
    public bool IsMatch => Mismatches.Count == 0;

    /// <summary>A one-line description naming each mismatching register, or "all RTMRs match".</summary>
    public string Describe() => IsMatch
        ? "all RTMRs match"
        : string.Join("; ", Mismatches.Select(m => $"RTMR{m.Index} mismatch: expected {m.Expected}, replayed {m.Replayed}"));
}
