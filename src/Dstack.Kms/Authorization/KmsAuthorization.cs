using Dstack.Kms.Authentication;
using Dstack.Kms.Images;
using Dstack.Kms.Policies;

namespace Dstack.Kms.Authorization;

/// <summary>
/// The one decision on a KMS identity, whoever it is: a peer asking for the root keys (<c>GetKmsKey</c>), a source this
/// instance onboards from, and this instance itself (self-authorization). Every check a KMS must pass belongs here, so
/// that the three paths cannot drift apart: the policy (<c>isKmsAllowed</c>, <c>bootAuth/kms</c> or the policy file's
/// <c>kms</c> section), then the OS-image check of its registers.
/// </summary>
internal sealed class KmsAuthorization(IKmsPolicy policy, OsImageCheck osImage)
{
    /// <summary>The policy this decision asks.</summary>
    public IKmsPolicy Policy => policy;

    /// <summary>The OS-image step every key release runs after the policy.</summary>
    public OsImageCheck OsImage => osImage;

    /// <summary>Whether the KMS instance <paramref name="kms"/> (a verified attestation) is allowed; <paramref name="method"/> names the decision in the log.</summary>
    public async Task<PolicyDecision> AuthorizeKmsAsync(string method, AuthenticatedCaller kms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kms);
        var decision = await policy.IsKmsAllowedAsync(kms.BootInfo, cancellationToken).ConfigureAwait(false);
        if (!decision.IsAllowed)
        {
            return decision;
        }

        return await osImage.CheckAsync(method, kms, cancellationToken).ConfigureAwait(false) is { } problem
            ? PolicyDecision.Deny(problem, decision.GatewayAppId)
            : decision;
    }
}
