namespace Dstack.Attestation.Quotes;

/// <summary>The kind of report a quote body carries (the v5 body descriptor type; v4 TD quotes are always <see cref="TdReport10"/>).</summary>
public enum QuoteBodyType
{
    /// <summary>SGX enclave report body (384 bytes); not accepted by this TDX parser.</summary>
    SgxEnclaveReport = 1,

    /// <summary>TD report body of TDX 1.0 (584 bytes).</summary>
    TdReport10 = 2,

    /// <summary>TD report body of TDX 1.5 (648 bytes, adds TEE_TCB_SVN2 and MRSERVICETD).</summary>
    TdReport15 = 3,
}
