namespace Dstack.Kms.Collateral;

/// <summary>
/// The <c>Collateral</c> configuration section: where Intel collateral for callers' quotes comes from (a PCCS or Intel's
/// PCS, TDX v4 API), where it is cached, and whether a quote without collateral may be served (spec dcap-collateral §3, §7).
/// </summary>
internal sealed class CollateralOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Collateral";

    /// <summary>
    /// The PCCS or PCS base URL. Unset: Phala's PCCS under Intel's root; under a simulated root, a PCCS the KMS serves on
    /// loopback from the simulated PKI (so the simulated stack fetches over HTTP like a real one).
    /// </summary>
    public string? PccsUrl { get; set; }

    /// <summary>Where fetched collateral is kept across restarts (one JSON file per FMSPC and CA type); unset: memory only.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Refuse a quote when no valid collateral is available (TCB status would be <c>Unknown</c>); unset: the value of <c>Production</c>.</summary>
    public bool? Required { get; set; }

    /// <summary>The time one PCCS request may take (1..600, default 30).</summary>
    public int FetchTimeoutSeconds { get; set; } = 30;

    /// <summary>How often cached collateral is checked for a due refresh (60..86400, default 600).</summary>
    public int RefreshCheckSeconds { get; set; } = 600;

    /// <summary>Whether collateral is required, given the deployment's <c>Production</c> flag.</summary>
    public bool IsRequired(bool production) => Required ?? production;
}
