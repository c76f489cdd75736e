using Dstack.Attestation.Dcap;
using Dstack.Attestation.Quotes;

namespace Dstack.Kms.Authentication;

/// <summary>Supplies DCAP collateral (TCB info, QE identity, CRLs) for a quote; null means none is available.</summary>
internal interface ICollateralSource
{
    /// <summary>Collateral for <paramref name="quote"/>, or null.</summary>
    Task<DcapCollateral?> GetCollateralAsync(TdxQuote quote, CancellationToken cancellationToken);
}
