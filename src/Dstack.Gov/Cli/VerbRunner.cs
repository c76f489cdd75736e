using Dstack.Ethereum;
using Dstack.Ethereum.Rpc;
using Dstack.Ethereum.Transactions;

namespace Dstack.Gov.Cli;

/// <summary>Runs a verb and turns its failures into one line on standard error and an exit code.</summary>
internal static class VerbRunner
{
    public static async Task<int> RunAsync(string verb, TextWriter error, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (GovUsageException e)
        {
            await error.WriteLineAsync($"{verb}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (GovFailureException e)
        {
            await error.WriteLineAsync($"{verb}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (TransactionRevertedException e)
        {
            var where = e.Receipt is { } receipt
                ? $"transaction {Arguments.Hex(receipt.TransactionHash)} in block {receipt.BlockNumber} reverted"
                : "the transaction would revert (not sent)";
            await error.WriteLineAsync($"{verb}: {where}: {e.Reason?.ToString() ?? "no reason given"}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (EthereumRpcException e)
        {
            await error.WriteLineAsync($"{verb}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (EthereumException e)
        {
            await error.WriteLineAsync($"{verb}: chain access failed: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is TimeoutException or HttpRequestException or IOException)
        {
            await error.WriteLineAsync($"{verb}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync($"{verb}: cancelled or timed out").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }
}
