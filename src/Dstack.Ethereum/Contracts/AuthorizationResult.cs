namespace Dstack.Ethereum.Contracts;

/// <summary>The <c>(bool isAllowed, string reason)</c> answer of <c>isAppAllowed</c>/<c>isKmsAllowed</c>.</summary>
/// <param name="IsAllowed">True to release keys.</param>
/// <param name="Reason">Why not; empty when allowed.</param>
public sealed record AuthorizationResult(bool IsAllowed, string Reason);
