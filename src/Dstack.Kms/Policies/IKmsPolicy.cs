using Dstack.Kms.Authentication;

namespace Dstack.Kms.Policies;

/// <summary>
/// The governance decision behind every key release: a policy file, an auth webhook, the dev policy, or (later) the
/// on-chain contracts through <c>eth_call</c>. Decisions are asked for on every call and never cached here.
/// </summary>
internal interface IKmsPolicy
{
    /// <summary>Whether an app instance with <paramref name="bootInfo"/> may receive its keys (<c>bootAuth/app</c>).</summary>
    Task<PolicyDecision> IsAppAllowedAsync(BootInfo bootInfo, CancellationToken cancellationToken);

    /// <summary>Whether a KMS instance with <paramref name="bootInfo"/> may receive the root keys (<c>bootAuth/kms</c>).</summary>
    Task<PolicyDecision> IsKmsAllowedAsync(BootInfo bootInfo, CancellationToken cancellationToken);

    /// <summary>Backend information for <c>GetMeta</c>.</summary>
    /// <exception cref="PolicyBackendException">The backend cannot be asked.</exception>
    Task<KmsPolicyInfo> GetInfoAsync(CancellationToken cancellationToken);
}
