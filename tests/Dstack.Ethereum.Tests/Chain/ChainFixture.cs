using System.Security.Cryptography;
using Dstack.Ethereum.Contracts;
using Dstack.Ethereum.Transactions;

namespace Dstack.Ethereum.Tests.Chain;

/// <summary>One anvil per test class, with DstackKms (behind an ERC1967 proxy) and the DstackApp implementation deployed.</summary>
public sealed class ChainFixture : IAsyncLifetime
{
    private AnvilNode? _node;

    public AnvilNode Node => _node ?? throw new InvalidOperationException("not started");

    public Signer Owner { get; } = Signer.FromHex(AnvilNode.DevKeys[0]);

    public Signer Other { get; } = Signer.FromHex(AnvilNode.DevKeys[1]);

    public TransactionSender OwnerSender { get; private set; } = null!;

    public TransactionSender OtherSender { get; private set; } = null!;

    public EvmAddress AppImplementation { get; private set; }

    public DstackKmsContract Kms { get; private set; } = null!;

    public static byte[] RandomHash() => RandomNumberGenerator.GetBytes(32);

    public static EvmAddress RandomAddress() => new(RandomNumberGenerator.GetBytes(20));

    public async Task InitializeAsync()
    {
        _node = await AnvilNode.StartAsync();
        OwnerSender = await TransactionSender.CreateAsync(Node.Rpc, Owner, 31337);
        OtherSender = await TransactionSender.CreateAsync(Node.Rpc, Other, 31337);
        AppImplementation = await DstackAppContract.DeployImplementationAsync(OwnerSender);
        Kms = await DstackKmsContract.DeployAsync(OwnerSender, Owner.Address, AppImplementation);
    }

    public async Task DisposeAsync()
    {
        OwnerSender?.Dispose();
        OtherSender?.Dispose();
        Owner.Dispose();
        Other.Dispose();
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }
}
