using Dstack.Kms.Authentication;
using Dstack.Kms.Service;

namespace Dstack.Kms.Authorization;

/// <summary>The outcome of the latest self-authorization check.</summary>
/// <param name="Status">Allowed, denied, unavailable, not yet checked or disabled.</param>
/// <param name="Reason">Why not (empty when allowed or disabled).</param>
/// <param name="BootInfo">This KMS's own identity, when its attestation verified.</param>
internal sealed record SelfAuthorizationState(SelfAuthorizationStatus Status, string Reason, BootInfo? BootInfo = null)
{
    /// <summary>The prefix of every refusal caused by self-authorization.</summary>
    public const string RefusalPrefix = "KMS not allowed: ";

    /// <summary>Before the first check.</summary>
    public static SelfAuthorizationState NotChecked { get; } = new(SelfAuthorizationStatus.NotChecked, "the self-authorization check has not completed yet");

    /// <summary>Enforcement switched off.</summary>
    public static SelfAuthorizationState Disabled { get; } = new(SelfAuthorizationStatus.Disabled, string.Empty);

    /// <summary>The refusal key releases get in this state, or null when they are served.</summary>
    public KmsRefusal? Refusal => Status switch
    {
        SelfAuthorizationStatus.Allowed or SelfAuthorizationStatus.Disabled => null,
        SelfAuthorizationStatus.Denied => new KmsRefusal(KmsRefusalKind.Denied, RefusalPrefix + Reason),
        SelfAuthorizationStatus.Unavailable => new KmsRefusal(KmsRefusalKind.BackendUnavailable, RefusalPrefix + Reason),
        _ => new KmsRefusal(KmsRefusalKind.NotReady, RefusalPrefix + Reason),
    };
}
