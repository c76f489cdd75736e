using Dstack.Attestation.Quotes;

namespace Dstack.Kms.Collateral;

/// <summary>No collateral: quotes are verified without TCB evaluation and report the status <c>Unknown</c>.</summary>
internal sealed class NoCollateralSource : ICollateralSource
{
    /// <inheritdoc />
    public Task<CollateralLookup> GetCollateralAsync(TdxQuote quote, CancellationToken cancellationToken) =>
        Task.FromResult(CollateralLookup.Unavailable("no collateral source is configured"));
}
