using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Dstack.Ethereum.Rpc;
using Dstack.Gov.Chain;

namespace Dstack.Gov.Cli;

/// <summary>
/// <c>dstack-gov history --rpc URL (--kms ADDR | --app ADDR) [--from-block N] [--to-block N]</c>: every event the
/// contract emitted, decoded against its ABI (PolicyChanged keys shown by label), with block number, block time and
/// transaction hash, oldest first.
/// </summary>
internal static class HistoryCommand
{
    /// <summary>Blocks per <c>eth_getLogs</c> request (public endpoints cap the range).</summary>
    public const ulong ChunkBlocks = 10_000;

    public static Command Create()
    {
        var common = new CommonOptions();
        var target = new ContractTarget();
        var from = new Option<string?>("--from-block") { Description = "First block to read (default 0; set it to the deployment block on a public chain)" };
        var to = new Option<string?>("--to-block") { Description = "Last block to read (default: the latest)" };
        var command = new Command("history", "List every governance event of a DstackKms or DstackApp, decoded, with block, time and transaction") { from, to };
        target.AddTo(command);
        common.AddTo(command, transaction: false);
        command.SetAction((parse, cancellationToken) => RunAsync(
            common.Read(parse),
            parse.GetValue(target.Kms),
            parse.GetValue(target.App),
            parse.GetValue(from),
            parse.GetValue(to),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    public static Task<int> RunAsync(
        ChainArguments chain, string? kms, string? app, string? fromBlock, string? toBlock, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        VerbRunner.RunAsync("history", error, async () =>
        {
            var (address, abi, kind) = ContractTarget.Resolve(kms, app);
            var first = fromBlock is null ? 0 : Arguments.BlockNumber("--from-block", fromBlock);
            using var connection = await GovConnection.OpenAsync(chain, cancellationToken).ConfigureAwait(false);
            var last = toBlock is null
                ? await connection.Rpc.GetBlockNumberAsync(cancellationToken).ConfigureAwait(false)
                : Arguments.BlockNumber("--to-block", toBlock);
            if (first > last)
            {
                throw new GovUsageException($"--from-block {first} is after the last block {last}");
            }

            var code = await connection.Rpc.GetCodeAsync(address, BlockTag.AtNumber(last), cancellationToken).ConfigureAwait(false);
            if (code.Length == 0)
            {
                throw new GovFailureException($"no contract at {address} (block {last}); is this the right chain and address?");
            }

            var logs = new List<LogEntry>();
            for (var start = first; start <= last; start += ChunkBlocks)
            {
                var end = Math.Min(last, start + ChunkBlocks - 1);
                logs.AddRange(await connection.Rpc.GetLogsAsync(
                    new LogFilter { Addresses = [address], FromBlock = BlockTag.AtNumber(start), ToBlock = BlockTag.AtNumber(end) },
                    cancellationToken).ConfigureAwait(false));
                if (end == ulong.MaxValue)
                {
                    break;
                }
            }

            var events = DecodedEvent.Decode(logs, address, abi);
            var unknown = logs.Count - events.Count;
            var times = new Dictionary<ulong, DateTimeOffset>();
            foreach (var number in events.Select(e => e.Log.BlockNumber).Distinct())
            {
                var header = await connection.Rpc.GetBlockAsync(BlockTag.AtNumber(number), cancellationToken).ConfigureAwait(false);
                times[number] = header is null ? default : DateTimeOffset.FromUnixTimeSeconds((long)header.Timestamp);
            }

            if (chain.Json)
            {
                await output.WriteLineAsync(GovJson.Write(new JsonObject
                {
                    ["contract"] = address.ToString(),
                    ["kind"] = kind,
                    ["chain_id"] = connection.ChainId,
                    ["from_block"] = first,
                    ["to_block"] = last,
                    ["unknown_logs"] = unknown,
                    ["events"] = new JsonArray(events.Select(e => (JsonNode)new JsonObject
                    {
                        ["block"] = e.Log.BlockNumber,
                        ["time"] = times[e.Log.BlockNumber].ToString("O", CultureInfo.InvariantCulture),
                        ["transaction"] = Arguments.Hex(e.Log.TransactionHash),
                        ["log_index"] = e.Log.LogIndex,
                        ["event"] = e.Event.Name,
                        ["args"] = e.ArgumentsJson(),
                    }).ToArray()),
                })).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"{kind} {address} on chain {connection.ChainId}, blocks {first}..{last}: {events.Count} events").ConfigureAwait(false);
                foreach (var e in events)
                {
                    await output.WriteLineAsync(
                        $"block {e.Log.BlockNumber}  {times[e.Log.BlockNumber]:u}  tx {Arguments.Hex(e.Log.TransactionHash)}  {e.Describe()}").ConfigureAwait(false);
                }

                if (unknown > 0)
                {
                    await output.WriteLineAsync($"({unknown} logs with events not in the {kind} ABI were skipped)").ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        });
}
