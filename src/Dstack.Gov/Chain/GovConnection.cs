using Dstack.Ethereum.Rpc;
using Dstack.Ethereum.Transactions;
using Dstack.Gov.Cli;

namespace Dstack.Gov.Chain;

/// <summary>An RPC client over the <c>--rpc</c> endpoints whose chain id has been read (and checked against <c>--chain-id</c>).</summary>
internal sealed class GovConnection : IDisposable
{
    private readonly HttpClient _http;

    private GovConnection(HttpClient http, EthereumRpcClient rpc, ulong chainId)
    {
        _http = http;
        Rpc = rpc;
        ChainId = chainId;
    }

    /// <summary>The RPC client.</summary>
    public EthereumRpcClient Rpc { get; }

    /// <summary>The chain id the node serves.</summary>
    public ulong ChainId { get; }

    /// <summary>Validates the URLs, connects, and checks the chain id.</summary>
    public static async Task<GovConnection> OpenAsync(ChainArguments chain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.RpcUrls.Count == 0)
        {
            throw new GovUsageException("--rpc URL is required (repeat it to name fallback endpoints)");
        }

        var endpoints = new List<Uri>();
        foreach (var text in chain.RpcUrls)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new GovUsageException($"--rpc: '{text}' is not an http:// or https:// URL");
            }

            endpoints.Add(uri);
        }

        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            var rpc = new EthereumRpcClient(http, endpoints, new EthereumRpcOptions
            {
                RequestTimeout = TimeSpan.FromSeconds(15),
                ReceiptPollInterval = TimeSpan.FromMilliseconds(500),
                ReceiptTimeout = TimeSpan.FromMinutes(5),
            });
            var chainId = await rpc.GetChainIdAsync(cancellationToken).ConfigureAwait(false);
            if (chain.ChainId is { } expected && expected != chainId)
            {
                throw new GovFailureException($"wrong chain: the RPC endpoint serves chain id {chainId}, but --chain-id is {expected}");
            }

            var connection = new GovConnection(http, rpc, chainId);
            http = null!;
            return connection;
        }
        finally
        {
            http?.Dispose();
        }
    }

    /// <summary>A transaction sender for <paramref name="signer"/> on this chain.</summary>
    public TransactionSender CreateSender(Signer signer) => new(Rpc, signer, ChainId);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
