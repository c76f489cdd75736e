using System.Numerics;
using System.Text.Json.Nodes;
using Dstack.Ethereum.Rpc;

namespace Dstack.Ethereum.Tests.Chain;

/// <summary>Anvil-only test methods (not part of the library's API).</summary>
public static class AnvilRpc
{
    public static Task IncreaseTimeAsync(this EthereumRpcClient rpc, long seconds) =>
        rpc.RequestAsync("evm_increaseTime", [seconds], CancellationToken.None);

    public static Task MineAsync(this EthereumRpcClient rpc) =>
        rpc.RequestAsync("evm_mine", [], CancellationToken.None);

    public static Task SetBalanceAsync(this EthereumRpcClient rpc, EvmAddress address, BigInteger wei) =>
        rpc.RequestAsync("anvil_setBalance", [address.ToString(), Hex.FormatQuantity(wei)], CancellationToken.None);

    public static async Task<string> RawAsync(this EthereumRpcClient rpc, string method, JsonArray parameters)
    {
        var result = await rpc.RequestAsync(method, parameters, CancellationToken.None);
        return result?.ToString() ?? "null";
    }
}
