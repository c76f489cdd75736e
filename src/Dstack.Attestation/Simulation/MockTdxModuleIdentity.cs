namespace Dstack.Attestation.Simulation;

/// <summary>A <c>tdxModuleIdentities</c> entry for generated collateral, with one level.</summary>
/// <param name="Id">The entry id, <c>TDX_01</c> for module version 1 (TEE_TCB_SVN[1]).</param>
/// <param name="MinimumIsvSvn">ISVSVN (TEE_TCB_SVN[0]) the level requires.</param>
/// <param name="Status">The level's status.</param>
/// <param name="AdvisoryIds">The level's advisories.</param>
public sealed record MockTdxModuleIdentity(string Id, int MinimumIsvSvn, string Status = "UpToDate", IReadOnlyList<string>? AdvisoryIds = null);
