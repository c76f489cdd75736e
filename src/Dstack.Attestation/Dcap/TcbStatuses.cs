namespace Dstack.Attestation.Dcap;

/// <summary>The TCB status strings of Intel DCAP collateral, as reported in <see cref="QuoteVerificationResult.TcbStatus"/>.</summary>
public static class TcbStatuses
{
    /// <summary>No collateral was given, so the TCB was not evaluated.</summary>
    public const string Unknown = "Unknown";

    /// <summary>The platform is fully patched.</summary>
    public const string UpToDate = "UpToDate";

    /// <summary>Up to date, but software hardening is needed for some advisories.</summary>
    public const string SWHardeningNeeded = "SWHardeningNeeded";

    /// <summary>Up to date, but the platform configuration needs attention.</summary>
    public const string ConfigurationNeeded = "ConfigurationNeeded";

    /// <summary>Both configuration changes and software hardening are needed.</summary>
    public const string ConfigurationAndSWHardeningNeeded = "ConfigurationAndSWHardeningNeeded";

    /// <summary>The TCB is out of date.</summary>
    public const string OutOfDate = "OutOfDate";

    /// <summary>Out of date and the configuration needs attention.</summary>
    public const string OutOfDateConfigurationNeeded = "OutOfDateConfigurationNeeded";

    /// <summary>The TCB level or a certificate is revoked.</summary>
    public const string Revoked = "Revoked";

    internal static bool IsKnown(string status) => Severity(status) >= 0;

    /// <summary>Severity of a collateral status (spec dcap-collateral §4.5): 0 for <c>UpToDate</c> … 6 for <c>Revoked</c>; −1 when unknown.</summary>
    internal static int Severity(string status) => status switch
    {
        UpToDate => 0,
        SWHardeningNeeded => 1,
        ConfigurationNeeded => 2,
        ConfigurationAndSWHardeningNeeded => 3,
        OutOfDate => 4,
        OutOfDateConfigurationNeeded => 5,
        Revoked => 6,
        _ => -1,
    };
}
