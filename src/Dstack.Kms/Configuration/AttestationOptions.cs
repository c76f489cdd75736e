namespace Dstack.Kms.Configuration;

/// <summary>Caller attestation checks that are configurable.</summary>
internal sealed class AttestationOptions
{
    /// <summary>Accept quotes of TDs with the DEBUG attribute; default false, and never in production.</summary>
    public bool AllowDebugTds { get; set; }
}
