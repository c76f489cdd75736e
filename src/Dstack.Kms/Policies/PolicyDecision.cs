namespace Dstack.Kms.Policies;

/// <summary>An authorization decision: allowed or not, why, and the gateway app id the policy reports.</summary>
/// <param name="IsAllowed">Whether keys may be released.</param>
/// <param name="Reason">Why not (the reference contract's reason strings where they exist); empty when allowed.</param>
/// <param name="GatewayAppId">The gateway app id to hand to the caller.</param>
/// <param name="IsBackendFailure">True when the backend could not be asked (the decision is a fail-closed denial).</param>
internal sealed record PolicyDecision(bool IsAllowed, string Reason, string GatewayAppId, bool IsBackendFailure = false)
{
    /// <summary>An allow.</summary>
    public static PolicyDecision Allow(string gatewayAppId) => new(true, string.Empty, gatewayAppId);

    /// <summary>A denial with a reason.</summary>
    public static PolicyDecision Deny(string reason, string gatewayAppId = "") => new(false, reason, gatewayAppId);

    /// <summary>A fail-closed denial because the backend is unavailable.</summary>
    public static PolicyDecision Unavailable() => new(false, PolicyReasons.BackendUnavailable, string.Empty, IsBackendFailure: true);
}
