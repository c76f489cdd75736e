using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Rpc;
using Dstack.Ethereum.Transactions;

namespace Dstack.Ethereum.Contracts;

/// <summary>Calls, transactions and event queries against one deployed contract, driven by its ABI.</summary>
internal sealed class ContractClient(EthereumRpcClient rpc, EvmAddress address, ContractAbi abi, TransactionSender? sender)
{
    public EvmAddress Address { get; } = address;

    public ContractAbi Abi { get; } = abi;

    public EthereumRpcClient Rpc { get; } = rpc;

    public async Task<object?[]> CallAsync(string signature, BlockTag? block, CancellationToken cancellationToken, params object?[] arguments)
    {
        var function = Abi.GetFunction(signature);
        var data = await Rpc.CallAsync(new CallRequest { To = Address, Data = function.EncodeCall(arguments) }, block ?? BlockTag.Latest, cancellationToken)
            .ConfigureAwait(false);
        if (data.Length == 0)
        {
            var code = await Rpc.GetCodeAsync(Address, block ?? BlockTag.Latest, cancellationToken).ConfigureAwait(false);
            if (code.Length == 0)
            {
                throw new AbiException($"No contract at {Address} (calling {function.Signature})");
            }
        }

        return function.DecodeOutput(data);
    }

    public async Task<T> CallSingleAsync<T>(string signature, BlockTag? block, CancellationToken cancellationToken, params object?[] arguments)
    {
        var values = await CallAsync(signature, block, cancellationToken, arguments).ConfigureAwait(false);
        return values is [T value] ? value : throw new AbiException($"{signature} did not return one {typeof(T).Name}");
    }

    public Task<TransactionReceipt> SendAsync(string signature, CancellationToken cancellationToken, params object?[] arguments)
    {
        var function = Abi.GetFunction(signature);
        var sending = sender ?? throw new InvalidOperationException("This contract binding was created without a transaction sender");
        return sending.SendAsync(Address, function.EncodeCall(arguments), default, Abi.Errors, cancellationToken);
    }

    public IReadOnlyList<ContractEvent> DecodeLogs(IEnumerable<LogEntry> logs)
    {
        var events = new List<ContractEvent>();
        foreach (var log in logs)
        {
            if (log.Address != Address || log.Topics.Count == 0 || Abi.FindEventByTopic(log.Topics[0]) is not { } definition)
            {
                continue;
            }

            events.Add(new ContractEvent(definition, definition.Decode(log.Topics, log.Data), log));
        }

        return events;
    }

    public async Task<IReadOnlyList<ContractEvent>> GetEventsAsync(BlockTag fromBlock, BlockTag toBlock, CancellationToken cancellationToken)
    {
        var logs = await Rpc.GetLogsAsync(new LogFilter { Addresses = [Address], FromBlock = fromBlock, ToBlock = toBlock }, cancellationToken)
            .ConfigureAwait(false);
        return DecodeLogs(logs);
    }
}
