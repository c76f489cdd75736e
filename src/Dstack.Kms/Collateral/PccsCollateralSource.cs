using Dstack.Attestation.Dcap.Pccs;
using Dstack.Attestation.Quotes;

namespace Dstack.Kms.Collateral;

/// <summary>Collateral for a quote from the <see cref="CollateralCache"/>, by the FMSPC and CA type of its PCK certificate.</summary>
internal sealed class PccsCollateralSource(CollateralCache cache) : ICollateralSource
{
    /// <inheritdoc />
    public Task<CollateralLookup> GetCollateralAsync(TdxQuote quote, CancellationToken cancellationToken)
    {
        CollateralKey key;
        try
        {
            key = CollateralKey.Of(quote);
        }
        catch (FormatException e)
        {
            return Task.FromResult(CollateralLookup.Unavailable("cannot tell which collateral the quote needs: " + e.Message));
        }

        return cache.GetAsync(key, cancellationToken);
    }
}
