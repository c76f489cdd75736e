using Dstack.Attestation.Dcap;
using Dstack.Attestation.Quotes;

namespace Dstack.Kms.Authentication;

/// <summary>No collateral: quotes are verified without TCB evaluation and report the status <c>Unknown</c>.</summary>
internal sealed class NoCollateralSource : ICollateralSource
{
    /// <inheritdoc />
    public Task<DcapCollateral?> GetCollateralAsync(TdxQuote quote, CancellationToken cancellationToken) => Task.FromResult<DcapCollateral?>(null);
}
