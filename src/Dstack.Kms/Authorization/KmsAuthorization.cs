using Dstack.Kms.Authentication;
using Dstack.Kms.Policies;

namespace Dstack.Kms.Authorization;

/// <summary>
/// The one decision on a KMS identity, whoever it is: a peer asking for the root keys (<c>GetKmsKey</c>), a source this
/// instance onboards from, and this instance itself (self-authorization). Every check a KMS must pass belongs here, so
/// that the three paths cannot drift apart.
/// </summary>
internal sealed class KmsAuthorization(IKmsPolicy policy)
{
    /// <summary>The policy this decision asks.</summary>
    public IKmsPolicy Policy => policy;

    /// <summary>Whether the KMS instance <paramref name="kms"/> (a verified attestation) is allowed: <c>isKmsAllowed</c>, <c>bootAuth/kms</c> or the policy file's <c>kms</c> section.</summary>
    public Task<PolicyDecision> AuthorizeKmsAsync(AuthenticatedCaller kms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kms);
        return policy.IsKmsAllowedAsync(kms.BootInfo, cancellationToken);
    }
}
