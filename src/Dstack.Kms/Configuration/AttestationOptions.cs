namespace Dstack.Kms.Configuration;

/// <summary>Caller attestation checks that are configurable.</summary>
internal sealed class AttestationOptions
{
    /// <summary>Accept quotes of TDs with the DEBUG attribute; default false; refused at start together with <c>TrustRoot:Kind</c> <c>intel</c> or <c>Production</c>.</summary>
    public bool AllowDebugTds { get; set; }
}
