using System.Net.Http.Headers;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dstack.Ethereum.Abi;

namespace Dstack.Ethereum.Rpc;

/// <summary>
/// A JSON-RPC client for an Ethereum node over HTTP. Several endpoints may be given: a transport failure
/// (connection, timeout, HTTP status, malformed response) moves on to the next one; a JSON-RPC error does not.
/// </summary>
public sealed class EthereumRpcClient
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private readonly HttpClient _http;
    private readonly Uri[] _endpoints;
    private readonly EthereumRpcOptions _options;
    private readonly TimeProvider _timeProvider;
    private long _nextId;
    private int _preferred;

    /// <summary>Creates a client.</summary>
    /// <param name="http">The HTTP client (its own timeout should be longer than <see cref="EthereumRpcOptions.RequestTimeout"/>).</param>
    /// <param name="endpoints">One or more RPC URLs, tried in order.</param>
    /// <param name="options">Timeouts and limits.</param>
    /// <param name="timeProvider">Clock for timeouts and receipt polling.</param>
    public EthereumRpcClient(HttpClient http, IReadOnlyList<Uri> endpoints, EthereumRpcOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("At least one RPC endpoint is needed", nameof(endpoints));
        }

        _http = http;
        _endpoints = [.. endpoints];
        _options = options ?? new EthereumRpcOptions();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates a client for one endpoint.</summary>
    /// <param name="http">The HTTP client.</param>
    /// <param name="endpoint">The RPC URL.</param>
    /// <param name="options">Timeouts and limits.</param>
    /// <param name="timeProvider">Clock for timeouts and receipt polling.</param>
    public EthereumRpcClient(HttpClient http, Uri endpoint, EthereumRpcOptions? options = null, TimeProvider? timeProvider = null)
        : this(http, [endpoint], options, timeProvider)
    {
    }

    /// <summary>The limits in use.</summary>
    public EthereumRpcOptions Options => _options;

    /// <summary><c>eth_chainId</c>.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The chain id.</returns>
    public async Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default) =>
        Hex.ParseQuantityUInt64(await RequestStringAsync("eth_chainId", [], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_blockNumber</c>.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The newest block number.</returns>
    public async Task<ulong> GetBlockNumberAsync(CancellationToken cancellationToken = default) =>
        Hex.ParseQuantityUInt64(await RequestStringAsync("eth_blockNumber", [], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_call</c>: executes a call against the state at <paramref name="block"/>.</summary>
    /// <param name="call">The call.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The return data.</returns>
    /// <exception cref="EthereumRpcException">The call reverted (see <see cref="EthereumRpcException.Revert"/>).</exception>
    public async Task<byte[]> CallAsync(CallRequest call, BlockTag block, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return Hex.Parse(await RequestStringAsync("eth_call", [CallObject(call), block.ToString()], cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>eth_getBalance</c>.</summary>
    /// <param name="address">The account.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The balance in wei.</returns>
    public async Task<BigInteger> GetBalanceAsync(EvmAddress address, BlockTag block, CancellationToken cancellationToken = default) =>
        Hex.ParseQuantity(await RequestStringAsync("eth_getBalance", [address.ToString(), block.ToString()], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_getTransactionCount</c>.</summary>
    /// <param name="address">The account.</param>
    /// <param name="block">Usually <see cref="BlockTag.Pending"/> for the next nonce.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The nonce.</returns>
    public async Task<ulong> GetTransactionCountAsync(EvmAddress address, BlockTag block, CancellationToken cancellationToken = default) =>
        Hex.ParseQuantityUInt64(await RequestStringAsync("eth_getTransactionCount", [address.ToString(), block.ToString()], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_getCode</c>.</summary>
    /// <param name="address">The account.</param>
    /// <param name="block">The block to read at.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The deployed code (empty for an EOA).</returns>
    public async Task<byte[]> GetCodeAsync(EvmAddress address, BlockTag block, CancellationToken cancellationToken = default) =>
        Hex.Parse(await RequestStringAsync("eth_getCode", [address.ToString(), block.ToString()], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_estimateGas</c>.</summary>
    /// <param name="call">The transaction to estimate.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The gas estimate.</returns>
    /// <exception cref="EthereumRpcException">The transaction would revert.</exception>
    public async Task<ulong> EstimateGasAsync(CallRequest call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return Hex.ParseQuantityUInt64(await RequestStringAsync("eth_estimateGas", [CallObject(call)], cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>eth_gasPrice</c>.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The legacy gas price in wei.</returns>
    public async Task<BigInteger> GetGasPriceAsync(CancellationToken cancellationToken = default) =>
        Hex.ParseQuantity(await RequestStringAsync("eth_gasPrice", [], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_maxPriorityFeePerGas</c>.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A suggested tip in wei.</returns>
    public async Task<BigInteger> GetMaxPriorityFeePerGasAsync(CancellationToken cancellationToken = default) =>
        Hex.ParseQuantity(await RequestStringAsync("eth_maxPriorityFeePerGas", [], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_getBlockByNumber</c> without transactions.</summary>
    /// <param name="block">The block.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The header, or null if the node has no such block.</returns>
    public async Task<BlockHeader?> GetBlockAsync(BlockTag block, CancellationToken cancellationToken = default)
    {
        var result = await RequestAsync("eth_getBlockByNumber", [block.ToString(), false], cancellationToken).ConfigureAwait(false);
        if (result is not { ValueKind: JsonValueKind.Object } element)
        {
            return null;
        }

        var dto = Deserialize(element, RpcJsonContext.Default.RpcBlockDto, "eth_getBlockByNumber");
        return Convert(() => new BlockHeader
        {
            Number = Hex.ParseQuantityUInt64(dto.Number),
            Hash = Hex.Parse(dto.Hash),
            Timestamp = Hex.ParseQuantityUInt64(dto.Timestamp),
            BaseFeePerGas = dto.BaseFeePerGas is null ? null : Hex.ParseQuantity(dto.BaseFeePerGas),
        });
    }

    /// <summary><c>eth_sendRawTransaction</c>.</summary>
    /// <param name="rawTransaction">The signed transaction.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The transaction hash reported by the node.</returns>
    public async Task<byte[]> SendRawTransactionAsync(ReadOnlyMemory<byte> rawTransaction, CancellationToken cancellationToken = default) =>
        Hex.Parse(await RequestStringAsync("eth_sendRawTransaction", [Hex.Format(rawTransaction.Span)], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_getTransactionReceipt</c>.</summary>
    /// <param name="transactionHash">The transaction hash.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The receipt, or null while the transaction is not mined.</returns>
    public async Task<TransactionReceipt?> GetTransactionReceiptAsync(ReadOnlyMemory<byte> transactionHash, CancellationToken cancellationToken = default)
    {
        var result = await RequestAsync("eth_getTransactionReceipt", [Hex.Format(transactionHash.Span)], cancellationToken).ConfigureAwait(false);
        if (result is not { ValueKind: JsonValueKind.Object } element)
        {
            return null;
        }

        var dto = Deserialize(element, RpcJsonContext.Default.RpcReceiptDto, "eth_getTransactionReceipt");
        return Convert(() => new TransactionReceipt
        {
            TransactionHash = Hex.Parse(dto.TransactionHash),
            BlockHash = dto.BlockHash is null ? [] : Hex.Parse(dto.BlockHash),
            BlockNumber = Hex.ParseQuantityUInt64(dto.BlockNumber),
            Succeeded = dto.Status is not null && Hex.ParseQuantity(dto.Status) == BigInteger.One,
            From = dto.From is null ? default : EvmAddress.Parse(dto.From),
            To = dto.To is null ? null : EvmAddress.Parse(dto.To),
            ContractAddress = dto.ContractAddress is null ? null : EvmAddress.Parse(dto.ContractAddress),
            GasUsed = dto.GasUsed is null ? 0 : Hex.ParseQuantityUInt64(dto.GasUsed),
            EffectiveGasPrice = dto.EffectiveGasPrice is null ? BigInteger.Zero : Hex.ParseQuantity(dto.EffectiveGasPrice),
            Logs = (dto.Logs ?? []).Select(ToLog).ToArray(),
        });
    }

    /// <summary>Polls <c>eth_getTransactionReceipt</c> until the transaction is mined.</summary>
    /// <param name="transactionHash">The transaction hash.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The receipt (which may report failure; see <see cref="TransactionReceipt.Succeeded"/>).</returns>
    /// <exception cref="TimeoutException">No receipt within <see cref="EthereumRpcOptions.ReceiptTimeout"/>.</exception>
    public async Task<TransactionReceipt> WaitForReceiptAsync(ReadOnlyMemory<byte> transactionHash, CancellationToken cancellationToken = default)
    {
        var deadline = _timeProvider.GetTimestamp();
        while (true)
        {
            var receipt = await GetTransactionReceiptAsync(transactionHash, cancellationToken).ConfigureAwait(false);
            if (receipt is not null)
            {
                return receipt;
            }

            if (_timeProvider.GetElapsedTime(deadline) >= _options.ReceiptTimeout)
            {
                throw new TimeoutException("No receipt for transaction " + Hex.Format(transactionHash.Span) + " within " + _options.ReceiptTimeout);
            }

            await Task.Delay(_options.ReceiptPollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>eth_getLogs</c>.</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The matching logs in chain order.</returns>
    public async Task<IReadOnlyList<LogEntry>> GetLogsAsync(LogFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = new JsonObject
        {
            ["fromBlock"] = filter.FromBlock.ToString(),
            ["toBlock"] = filter.ToBlock.ToString(),
        };
        if (filter.Addresses.Count > 0)
        {
            query["address"] = new JsonArray(filter.Addresses.Select(a => (JsonNode?)JsonValue.Create(a.ToString())).ToArray());
        }

        if (filter.Topics.Count > 0)
        {
            query["topics"] = new JsonArray(filter.Topics
                .Select(position => position is null
                    ? null
                    : (JsonNode)new JsonArray(position.Select(t => (JsonNode?)JsonValue.Create(Hex.Format(t))).ToArray()))
                .ToArray());
        }

        var result = await RequestAsync("eth_getLogs", [query], cancellationToken).ConfigureAwait(false);
        if (result is not { ValueKind: JsonValueKind.Array } element)
        {
            throw new EthereumTransportException("eth_getLogs returned no array");
        }

        var logs = Deserialize(element, RpcJsonContext.Default.RpcLogDtoArray, "eth_getLogs");
        return Convert(() => logs.Select(ToLog).ToArray());
    }

    /// <summary>Sends one JSON-RPC request and returns its <c>result</c> (null for a JSON null result).</summary>
    /// <param name="method">The method.</param>
    /// <param name="parameters">The positional parameters.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A detached copy of the result element.</returns>
    internal async Task<JsonElement?> RequestAsync(string method, JsonArray parameters, CancellationToken cancellationToken)
    {
        var request = new RpcRequest("2.0", Interlocked.Increment(ref _nextId), method, parameters);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, RpcJsonContext.Default.RpcRequest);
        EthereumTransportException? lastError = null;
        var start = Volatile.Read(ref _preferred);
        for (var attempt = 0; attempt < _endpoints.Length; attempt++)
        {
            var index = (start + attempt) % _endpoints.Length;
            try
            {
                var response = await PostAsync(_endpoints[index], method, body, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _preferred, index);
                return Interpret(method, response);
            }
            catch (EthereumTransportException ex)
            {
                lastError = ex;
            }
        }

        throw _endpoints.Length == 1
            ? lastError!
            : new EthereumTransportException($"{method}: all {_endpoints.Length} RPC endpoints failed; last: {lastError!.Message}", lastError);
    }

    private async Task<RpcResponse> PostAsync(Uri endpoint, string method, byte[] body, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = JsonMediaType;
            using var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new EthereumTransportException($"{method}: HTTP {(int)response.StatusCode} from the RPC endpoint");
            }

            if (response.Content.Headers.ContentLength > _options.MaxResponseBytes)
            {
                throw new EthereumTransportException($"{method}: response larger than {_options.MaxResponseBytes} bytes");
            }

            var bytes = await ReadLimitedAsync(response.Content, method, linked.Token).ConfigureAwait(false);
            try
            {
                return JsonSerializer.Deserialize(bytes, RpcJsonContext.Default.RpcResponse)
                    ?? throw new EthereumTransportException($"{method}: empty JSON-RPC response");
            }
            catch (JsonException ex)
            {
                throw new EthereumTransportException($"{method}: malformed JSON-RPC response", ex);
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EthereumTransportException($"{method}: no answer within {_options.RequestTimeout}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new EthereumTransportException($"{method}: RPC endpoint unreachable ({ex.HttpRequestError})", ex);
        }
    }

    private async Task<byte[]> ReadLimitedAsync(HttpContent content, string method, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16384];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > _options.MaxResponseBytes)
                {
                    throw new EthereumTransportException($"{method}: response larger than {_options.MaxResponseBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static JsonElement? Interpret(string method, RpcResponse response)
    {
        if (response.Error is { } error)
        {
            byte[]? data = null;
            if (error.Data is { ValueKind: JsonValueKind.String } d && d.GetString() is { } text
                && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    data = Hex.Parse(text);
                }
                catch (FormatException)
                {
                    data = null;
                }
            }

            throw new EthereumRpcException(method, error.Code, error.Message ?? string.Empty, data, data is null ? null : RevertReason.Decode(data));
        }

        if (response.Result is not { } result || result.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return result.Clone();
    }

    private async Task<string> RequestStringAsync(string method, JsonArray parameters, CancellationToken cancellationToken)
    {
        var result = await RequestAsync(method, parameters, cancellationToken).ConfigureAwait(false);
        return result is { ValueKind: JsonValueKind.String } element
            ? element.GetString()!
            : throw new EthereumTransportException($"{method}: expected a string result");
    }

    private static JsonObject CallObject(CallRequest call)
    {
        var json = new JsonObject();
        if (call.From is { } from)
        {
            json["from"] = from.ToString();
        }

        if (call.To is { } to)
        {
            json["to"] = to.ToString();
        }

        json["data"] = Hex.Format(call.Data);
        if (call.Value is { } value)
        {
            json["value"] = Hex.FormatQuantity(value);
        }

        if (call.Gas is { } gas)
        {
            json["gas"] = Hex.FormatQuantity(gas);
        }

        return json;
    }

    private static LogEntry ToLog(RpcLogDto dto) => new()
    {
        Address = EvmAddress.Parse(dto.Address),
        Topics = dto.Topics.Select(Hex.Parse).ToArray(),
        Data = Hex.Parse(dto.Data),
        BlockNumber = dto.BlockNumber is null ? 0 : Hex.ParseQuantityUInt64(dto.BlockNumber),
        BlockHash = dto.BlockHash is null ? [] : Hex.Parse(dto.BlockHash),
        TransactionHash = dto.TransactionHash is null ? [] : Hex.Parse(dto.TransactionHash),
        LogIndex = dto.LogIndex is null ? 0 : Hex.ParseQuantityUInt64(dto.LogIndex),
        Removed = dto.Removed ?? false,
    };

    private static T Deserialize<T>(JsonElement element, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info, string method)
    {
        try
        {
            return element.Deserialize(info) ?? throw new EthereumTransportException($"{method}: empty result");
        }
        catch (JsonException ex)
        {
            throw new EthereumTransportException($"{method}: malformed result", ex);
        }
    }

    private static T Convert<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (FormatException ex)
        {
            throw new EthereumTransportException("Malformed value in an RPC result: " + ex.Message, ex);
        }
    }
}
