namespace Dstack.Kms.Configuration;

/// <summary>The KMS configuration file (JSON), bound at start and validated with <see cref="KmsOptionsValidator"/>.</summary>
internal sealed class KmsOptions
{
    /// <summary>A production deployment: refuses the simulated trust root, the simulated TDX device and the dev policy.</summary>
    public bool Production { get; set; }

    /// <summary>Where the RPC listener binds and the domain of its certificate.</summary>
    public ListenOptions Listen { get; set; } = new();

    /// <summary>Where the root keys live.</summary>
    public KeyStoreOptions KeyStore { get; set; } = new();

    /// <summary>The KMS's own TDX device (used to attest its keys at bootstrap).</summary>
    public TdxOptions Tdx { get; set; } = new();

    /// <summary>Which DCAP root caller quotes must chain to.</summary>
    public TrustRootOptions TrustRoot { get; set; } = new();

    /// <summary>Caller attestation checks beyond DCAP.</summary>
    public AttestationOptions Attestation { get; set; } = new();

    /// <summary>Who decides whether an app or a KMS may receive keys.</summary>
    public PolicyOptions Policy { get; set; } = new();

    /// <summary>Whether and how callers' OS images are checked against their measurements.</summary>
    public Images.ImageOptions Image { get; set; } = new();

    /// <summary>Where Intel collateral for callers' quotes comes from, where it is cached, whether it is required.</summary>
    public Collateral.CollateralOptions Collateral { get; set; } = new();

    /// <summary>Where a fresh instance obtains the root keys from instead of generating them.</summary>
    public OnboardingOptions Onboarding { get; set; } = new();
}
