namespace Dstack.Kms.Service;

/// <summary>Why a KMS call was refused, coarse enough to map onto transport status codes.</summary>
internal enum KmsRefusalKind
{
    /// <summary>The request is malformed (bad app id length, unsupported API version, bad CSR).</summary>
    InvalidRequest,

    /// <summary>The caller presented no usable attestation, or it did not verify.</summary>
    Unauthenticated,

    /// <summary>The policy denied the caller.</summary>
    Denied,

    /// <summary>The authorization backend (webhook, chain) could not be asked; fail closed.</summary>
    BackendUnavailable,

    /// <summary>The KMS itself is not ready (keys not loaded).</summary>
    NotReady,
}
