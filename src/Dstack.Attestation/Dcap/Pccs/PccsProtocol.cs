namespace Dstack.Attestation.Dcap.Pccs;

/// <summary>The PCCS / Intel PCS v4 paths and header names a TDX verifier uses (spec dcap-collateral §3.1).</summary>
public static class PccsProtocol
{
    /// <summary>Intel's PCS; a base URL starting with it has no <c>rootcacrl</c> endpoint.</summary>
    public const string IntelPcsUrl = "https://api.trustedservices.intel.com";

    /// <summary>Phala's public PCCS, dstack's default.</summary>
    public const string PhalaPccsUrl = "https://pccs.phala.network";

    /// <summary>Issuer chain of the PCK CRL.</summary>
    public const string PckCrlIssuerChainHeader = "SGX-PCK-CRL-Issuer-Chain";

    /// <summary>Issuer chain of the TCB info (PCCS name).</summary>
    public const string TcbInfoIssuerChainHeader = "SGX-TCB-Info-Issuer-Chain";

    /// <summary>Issuer chain of the TCB info (Intel PCS v4 name).</summary>
    public const string TcbInfoIssuerChainHeaderV4 = "TCB-Info-Issuer-Chain";

    /// <summary>Issuer chain of the QE identity.</summary>
    public const string QeIdentityIssuerChainHeader = "SGX-Enclave-Identity-Issuer-Chain";

    /// <summary>Path of the PCK CRL for a CA type (<c>processor</c> or <c>platform</c>), DER encoded.</summary>
    public static string PckCrlPath(string caType) => "/sgx/certification/v4/pckcrl?ca=" + caType + "&encoding=der";

    /// <summary>Path of the TDX TCB info for an FMSPC (12 uppercase hex digits).</summary>
    public static string TcbInfoPath(string fmspc) => "/tdx/certification/v4/tcb?fmspc=" + fmspc;

    /// <summary>Path of the TD QE identity.</summary>
    public const string QeIdentityPath = "/tdx/certification/v4/qe/identity?update=standard";

    /// <summary>Path of the root CA CRL (PCCS only; the body is the hex text of the DER CRL).</summary>
    public const string RootCaCrlPath = "/sgx/certification/v4/rootcacrl";

    /// <summary>
    /// The base URL of a configured PCCS or PCS URL: trailing <c>/</c> and a trailing <c>/sgx/certification/v4</c> or
    /// <c>/tdx/certification/v4</c> removed.
    /// </summary>
    public static string NormalizeBaseUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var trimmed = url.TrimEnd('/');
        foreach (var suffix in (ReadOnlySpan<string>)["/sgx/certification/v4", "/tdx/certification/v4"])
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return trimmed[..^suffix.Length].TrimEnd('/');
            }
        }

        return trimmed;
    }

    /// <summary>Whether <paramref name="baseUrl"/> is Intel's PCS (no <c>rootcacrl</c> endpoint).</summary>
    public static bool IsIntelPcs(string baseUrl) => baseUrl.StartsWith(IntelPcsUrl, StringComparison.OrdinalIgnoreCase);
}
