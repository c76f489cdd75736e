using Dstack.Attestation.Quotes;

namespace Dstack.Kms.Collateral;

/// <summary>Supplies DCAP collateral (TCB info, QE identity, CRLs) for a quote, or says why there is none.</summary>
internal interface ICollateralSource
{
    /// <summary>Collateral for <paramref name="quote"/>, or the reason none is available.</summary>
    Task<CollateralLookup> GetCollateralAsync(TdxQuote quote, CancellationToken cancellationToken);
}
