namespace Dstack.Kms.Tests.OnChain;

/// <summary>One anvil with the contracts per test class.</summary>
public sealed class OnChainFixture : IAsyncLifetime
{
    private OnChainDeployment? _chain;

    public OnChainDeployment Chain => _chain ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _chain = await OnChainDeployment.StartAsync();

    public async Task DisposeAsync()
    {
        if (_chain is not null)
        {
            await _chain.DisposeAsync();
        }
    }
}
