namespace Dstack.Attestation.EventLog;

/// <summary>One register whose replayed value differs from the expected (quoted) value.</summary>
/// <param name="Index">RTMR index 0–3.</param>
/// <param name="Expected">The expected value, lowercase hex.</param>
/// <param name="Replayed">The replayed value, lowercase hex.</param>
public sealed record RtmrMismatch(int Index, string Expected, string Replayed);
