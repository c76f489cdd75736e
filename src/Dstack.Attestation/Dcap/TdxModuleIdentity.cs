namespace Dstack.Attestation.Dcap;

/// <summary>
/// The expected TDX module of a TCB info: <c>tdxModule</c> (no id, no levels) or one <c>tdxModuleIdentities</c> entry
/// (<c>TDX_01</c>, … with its ISVSVN levels in JSON order).
/// </summary>
internal sealed record TdxModuleIdentity(string? Id, byte[] MrSigner, byte[] Attributes, byte[] AttributesMask, IReadOnlyList<IsvSvnLevel> Levels);
