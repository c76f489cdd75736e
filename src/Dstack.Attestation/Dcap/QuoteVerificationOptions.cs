namespace Dstack.Attestation.Dcap;

/// <summary>Policy switches of <see cref="QuoteVerifier"/> beyond the DCAP checks themselves.</summary>
public sealed class QuoteVerificationOptions
{
    /// <summary>Reject quotes of TDs with the DEBUG attribute (TDATTRIBUTES bit 0). Default <see langword="true"/>, as dstack does.</summary>
    public bool RejectDebugTd { get; init; } = true;

    /// <summary>Fail verification when no collateral is given (the TCB status would be <c>Unknown</c>). Default <see langword="false"/>.</summary>
    public bool RequireCollateral { get; init; }
}
