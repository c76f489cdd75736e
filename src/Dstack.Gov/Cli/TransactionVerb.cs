using System.Text.Json.Nodes;
using Dstack.Ethereum;
using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Rpc;
using Dstack.Ethereum.Transactions;
using Dstack.Gov.Chain;

namespace Dstack.Gov.Cli;

/// <summary>
/// Sends one owner call (or, with <c>--calldata</c>, prints it for a Safe or timelock to propose), then prints the
/// transaction and the events it emitted.
/// </summary>
internal static class TransactionVerb
{
    /// <summary>Encodes and sends (or prints) <paramref name="signature"/> on <paramref name="to"/>.</summary>
    public static async Task<int> ExecuteAsync(
        ChainArguments chain,
        string? keyFile,
        bool calldataOnly,
        EvmAddress to,
        ContractAbi abi,
        string signature,
        object?[] arguments,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        var function = abi.GetFunction(signature);
        var data = function.EncodeCall(arguments);
        if (calldataOnly)
        {
            if (chain.Json)
            {
                await output.WriteLineAsync(GovJson.Write(new JsonObject
                {
                    ["to"] = to.ToString(),
                    ["value"] = "0",
                    ["data"] = Arguments.Hex(data),
                    ["function"] = function.Signature,
                })).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"to        {to}").ConfigureAwait(false);
                await output.WriteLineAsync("value     0").ConfigureAwait(false);
                await output.WriteLineAsync($"data      {Arguments.Hex(data)}").ConfigureAwait(false);
                await output.WriteLineAsync($"function  {function.Signature}").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }

        using var connection = await GovConnection.OpenAsync(chain, cancellationToken).ConfigureAwait(false);
        using var signer = KeySource.Load(keyFile, Environment.GetEnvironmentVariable, error);
        using var sender = connection.CreateSender(signer);
        TransactionReceipt receipt;
        try
        {
            receipt = await sender.SendAsync(to, data, default, abi.Errors, cancellationToken).ConfigureAwait(false);
        }
        catch (TransactionRevertedException e) when (e.Reason?.Error?.Name == "OwnableUnauthorizedAccount")
        {
            var owner = await TryReadOwnerAsync(connection.Rpc, to, abi, cancellationToken).ConfigureAwait(false);
            throw new GovFailureException(
                $"refused by the contract: {e.Reason} — {signer.Address} is not the owner" +
                (owner is null ? string.Empty : $" ({owner} is)") +
                "; if the owner is a Safe or a timelock, rerun with --calldata and propose the printed transaction there");
        }

        await WriteReceiptAsync(chain.Json, function.Signature, to, receipt, DecodedEvent.Decode(receipt.Logs, to, abi), output).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>Prints a mined transaction and its decoded events.</summary>
    public static async Task WriteReceiptAsync(bool json, string what, EvmAddress to, TransactionReceipt receipt, IReadOnlyList<DecodedEvent> events, TextWriter output)
    {
        if (json)
        {
            await output.WriteLineAsync(GovJson.Write(new JsonObject
            {
                ["contract"] = to.ToString(),
                ["function"] = what,
                ["transaction"] = Arguments.Hex(receipt.TransactionHash),
                ["block"] = receipt.BlockNumber,
                ["from"] = receipt.From.ToString(),
                ["events"] = new JsonArray(events.Select(e => (JsonNode)new JsonObject { ["event"] = e.Event.Name, ["args"] = e.ArgumentsJson() }).ToArray()),
            })).ConfigureAwait(false);
            return;
        }

        await output.WriteLineAsync($"{what} on {to}").ConfigureAwait(false);
        await output.WriteLineAsync($"  transaction  {Arguments.Hex(receipt.TransactionHash)} (block {receipt.BlockNumber}, from {receipt.From}, gas {receipt.GasUsed})").ConfigureAwait(false);
        foreach (var e in events)
        {
            await output.WriteLineAsync($"  event        {e.Describe()}").ConfigureAwait(false);
        }
    }

    private static async Task<EvmAddress?> TryReadOwnerAsync(EthereumRpcClient rpc, EvmAddress contract, ContractAbi abi, CancellationToken cancellationToken)
    {
        try
        {
            var owner = abi.GetFunction("owner()");
            var result = await rpc.CallAsync(new CallRequest { To = contract, Data = owner.EncodeCall() }, BlockTag.Latest, cancellationToken).ConfigureAwait(false);
            return owner.DecodeOutput(result) is [EvmAddress address] ? address : null;
        }
        catch (EthereumException)
        {
            return null;
        }
    }
}
