using Dstack.Attestation.Dcap;

namespace Dstack.Kms.Collateral;

/// <summary>The result of a collateral lookup: the collateral, or why there is none.</summary>
/// <param name="Collateral">The collateral; null when none is available.</param>
/// <param name="Problem">Why there is none (names the PCCS URL or the cache); null when <paramref name="Collateral"/> is set.</param>
internal readonly record struct CollateralLookup(DcapCollateral? Collateral, string? Problem)
{
    /// <summary>A lookup that found <paramref name="collateral"/>.</summary>
    public static CollateralLookup Found(DcapCollateral collateral) => new(collateral, null);

    /// <summary>A lookup that found nothing, for <paramref name="problem"/>.</summary>
    public static CollateralLookup Unavailable(string problem) => new(null, problem);
}
