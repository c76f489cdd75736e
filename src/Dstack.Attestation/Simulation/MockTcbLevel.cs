namespace Dstack.Attestation.Simulation;

/// <summary>A platform TCB level for generated collateral; <see langword="null"/> component lists are all zero.</summary>
/// <param name="Status">The level's <c>tcbStatus</c>.</param>
/// <param name="AdvisoryIds">Its <c>advisoryIDs</c> (omitted when empty).</param>
/// <param name="PceSvn">Minimum PCESVN.</param>
/// <param name="SgxComponents">Minimum SGX component SVNs (up to 16, the rest 0).</param>
/// <param name="TdxComponents">Minimum TDX component SVNs, compared with TEE_TCB_SVN (up to 16, the rest 0).</param>
public sealed record MockTcbLevel(
    string Status,
    IReadOnlyList<string>? AdvisoryIds = null,
    int PceSvn = 0,
    IReadOnlyList<int>? SgxComponents = null,
    IReadOnlyList<int>? TdxComponents = null);
