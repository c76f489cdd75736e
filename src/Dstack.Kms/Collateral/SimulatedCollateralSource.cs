using Dstack.Attestation.Quotes;
using Dstack.Attestation.Simulation;

namespace Dstack.Kms.Collateral;

/// <summary>Collateral generated in process by the mock DCAP PKI of a simulated TD (TCB status <c>UpToDate</c>), fresh at each call.</summary>
internal sealed class SimulatedCollateralSource(MockDcapPki pki, TimeProvider timeProvider) : ICollateralSource
{
    /// <inheritdoc />
    public Task<CollateralLookup> GetCollateralAsync(TdxQuote quote, CancellationToken cancellationToken) =>
        Task.FromResult(CollateralLookup.Found(pki.CreateCollateral(timeProvider.GetUtcNow())));
}
