namespace Dstack.Attestation.Dcap;

/// <summary>One TDX TCB level of a TCB info document.</summary>
internal sealed record TcbLevel(int[] SgxComponents, int PceSvn, int[] TdxComponents, DateTimeOffset TcbDate, string Status, IReadOnlyList<string> AdvisoryIds);
