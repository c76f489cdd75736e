using Dstack.Ethereum.Rpc;
using Dstack.Tests;

namespace Dstack.Ethereum.Tests.Chain;

/// <summary>A real anvil node (<see cref="AnvilProcess"/>) with an <see cref="EthereumRpcClient"/> on it, killed on dispose.</summary>
public sealed class AnvilNode : IAsyncDisposable
{
    /// <summary>Anvil's well-known dev keys (mnemonic "test test … junk"), accounts 0–2.</summary>
    public static readonly string[] DevKeys = AnvilProcess.DevKeys;

    private readonly AnvilProcess _process;

    private AnvilNode(AnvilProcess process, HttpClient http, EthereumRpcClient rpc)
    {
        _process = process;
        Http = http;
        Rpc = rpc;
    }

    public Uri Endpoint => _process.Endpoint;

    public HttpClient Http { get; }

    public EthereumRpcClient Rpc { get; }

    public static async Task<AnvilNode> StartAsync()
    {
        var process = await AnvilProcess.StartAsync();
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var rpc = new EthereumRpcClient(http, process.Endpoint, new EthereumRpcOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(10),
            ReceiptPollInterval = TimeSpan.FromMilliseconds(20),
            ReceiptTimeout = TimeSpan.FromSeconds(30),
        });
        return new AnvilNode(process, http, rpc);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Http.Dispose();
    }
}
