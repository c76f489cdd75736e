using System.Security.Cryptography;
using Dstack.Ethereum;
using Dstack.Ethereum.Contracts;
using Dstack.Ethereum.Rpc;
using Dstack.Ethereum.Transactions;
using Dstack.Tests;

namespace Dstack.Kms.Tests.OnChain;

/// <summary>
/// One anvil with the governance contracts deployed by our bindings: the DstackApp implementation and DstackKms behind
/// an ERC1967 proxy, owned by anvil's first dev account (an EOA), with a gateway app id set.
/// </summary>
public sealed class OnChainDeployment : IAsyncDisposable
{
    public const string GatewayAppId = "gateway-onchain";

    private OnChainDeployment(AnvilProcess anvil, HttpClient http, EthereumRpcClient rpc, Signer owner, TransactionSender sender)
    {
        Anvil = anvil;
        Http = http;
        Rpc = rpc;
        Owner = owner;
        OwnerSender = sender;
    }

    internal AnvilProcess Anvil { get; }

    public HttpClient Http { get; }

    public EthereumRpcClient Rpc { get; }

    public Signer Owner { get; }

    public TransactionSender OwnerSender { get; }

    public EvmAddress AppImplementation { get; private set; }

    public DstackKmsContract Kms { get; private set; } = null!;

    public static byte[] RandomHash() => RandomNumberGenerator.GetBytes(32);

    public static async Task<OnChainDeployment> StartAsync()
    {
        var anvil = await AnvilProcess.StartAsync();
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var rpc = new EthereumRpcClient(http, anvil.Endpoint, new EthereumRpcOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(10),
            ReceiptPollInterval = TimeSpan.FromMilliseconds(20),
            ReceiptTimeout = TimeSpan.FromSeconds(30),
        });
        var owner = Signer.FromHex(AnvilProcess.DevKeys[0]);
        var sender = await TransactionSender.CreateAsync(rpc, owner, AnvilProcess.DefaultChainId);
        var deployment = new OnChainDeployment(anvil, http, rpc, owner, sender);
        deployment.AppImplementation = await DstackAppContract.DeployImplementationAsync(sender);
        deployment.Kms = await DstackKmsContract.DeployAsync(sender, owner.Address, deployment.AppImplementation);
        await deployment.Kms.SetGatewayAppIdAsync(GatewayAppId);
        return deployment;
    }

    /// <summary>Deploys and registers an app through the factory; its proxy address is the app id. The owner is the EOA.</summary>
    public async Task<DstackAppContract> DeployAppAsync(bool allowAnyDevice, byte[]? initialDeviceId = null, byte[]? initialComposeHash = null)
    {
        var (appId, _) = await Kms.DeployAndRegisterAppAsync(
            Owner.Address, false, false, allowAnyDevice, initialDeviceId ?? new byte[32], initialComposeHash ?? new byte[32]);
        return new DstackAppContract(Rpc, appId, OwnerSender);
    }

    public async ValueTask DisposeAsync()
    {
        OwnerSender.Dispose();
        Owner.Dispose();
        await Anvil.DisposeAsync();
        Http.Dispose();
    }
}
