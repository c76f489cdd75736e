namespace Dstack.Ethereum.Rpc;

/// <summary>Limits of <see cref="EthereumRpcClient"/>.</summary>
public sealed record EthereumRpcOptions
{
    /// <summary>Timeout of one HTTP request to one endpoint. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest accepted response body. Default 16 MiB.</summary>
    public int MaxResponseBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Delay between <c>eth_getTransactionReceipt</c> polls. Default 1 s.</summary>
    public TimeSpan ReceiptPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for a receipt before giving up. Default 3 min.</summary>
    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromMinutes(3);
}
