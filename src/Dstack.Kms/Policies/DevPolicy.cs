using Dstack.Kms.Authentication;

namespace Dstack.Kms.Policies;

/// <summary>Allows every verified caller (kms.md §4.2 dev mode). Constructible only over the simulated trust root.</summary>
internal sealed class DevPolicy : IKmsPolicy
{
    private readonly string _gatewayAppId;

    /// <summary>Creates the dev policy.</summary>
    /// <exception cref="InvalidOperationException">The trust root is not the simulated one.</exception>
    public DevPolicy(KmsTrustAnchor anchor, string gatewayAppId)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        if (!anchor.IsSimulated)
        {
            throw new InvalidOperationException("the dev policy allows every caller and is only available with the simulated trust root");
        }

        _gatewayAppId = gatewayAppId ?? string.Empty;
    }

    /// <inheritdoc />
    public Task<PolicyDecision> IsAppAllowedAsync(BootInfo bootInfo, CancellationToken cancellationToken) => Task.FromResult(PolicyDecision.Allow(_gatewayAppId));

    /// <inheritdoc />
    public Task<PolicyDecision> IsKmsAllowedAsync(BootInfo bootInfo, CancellationToken cancellationToken) => Task.FromResult(PolicyDecision.Allow(_gatewayAppId));

    /// <inheritdoc />
    public Task<KmsPolicyInfo> GetInfoAsync(CancellationToken cancellationToken) => Task.FromResult(new KmsPolicyInfo(true, _gatewayAppId));
}
