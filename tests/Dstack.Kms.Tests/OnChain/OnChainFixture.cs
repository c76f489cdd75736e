namespace Dstack.Kms.Tests.OnChain;

/// <summary>
/// One anvil with the contracts per test class, on which the default test KMS is allowed (self-authorization), 64 blocks
/// deep so that even a <c>finalized</c> read sees it.
/// </summary>
public sealed class OnChainFixture : IAsyncLifetime
{
    private OnChainDeployment? _chain;

    public OnChainDeployment Chain => _chain ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _chain = await OnChainDeployment.StartAsync();
        await OnChainTestBed.RegisterDefaultKmsAsync(_chain.Kms);
        await _chain.Anvil.MineAsync(64);
    }

    public async Task DisposeAsync()
    {
        if (_chain is not null)
        {
            await _chain.DisposeAsync();
        }
    }
}
