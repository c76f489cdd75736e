namespace Dstack.Kms.Authorization;

/// <summary>Where the KMS's check of itself stands.</summary>
internal enum SelfAuthorizationStatus
{
    /// <summary>No check has completed yet; key releases are refused.</summary>
    NotChecked,

    /// <summary>The policy allows this KMS; key releases are served.</summary>
    Allowed,

    /// <summary>The policy denies this KMS, or its own attestation does not verify; key releases are refused.</summary>
    Denied,

    /// <summary>The policy backend (or the KMS's own TD) could not be asked; key releases are refused (fail closed).</summary>
    Unavailable,

    /// <summary><c>Policy:EnforceSelfAuthorization</c> is false: no check, key releases are served.</summary>
    Disabled,
}
