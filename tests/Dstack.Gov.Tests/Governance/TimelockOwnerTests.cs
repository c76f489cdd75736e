using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dstack.Ethereum;
using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Contracts;
using Dstack.Ethereum.Transactions;
using Dstack.Gov.Tests.Chain;
using Dstack.Tests;

namespace Dstack.Gov.Tests.Governance;

/// <summary>
/// An app owned by an OpenZeppelin TimelockController (delay one hour; proposer and executor: dev account 4). Owner
/// calls are produced by <c>dstack-gov … --calldata</c>, scheduled, and executed after anvil's clock is advanced.
/// </summary>
public sealed class TimelockOwnerTests(GovChainFixture chain) : IClassFixture<GovChainFixture>
{
    private const long Delay = 3600;
    private static readonly string ComposeFile = SharedFiles.Fixture("simulator-app-compose.json");
    private static readonly byte[] ComposeHash = Convert.FromHexString("65b4e574f16973956908b6359920593c3b7d9f36f38e81a47f996a0c0d5435bb");

    [Fact]
    public async Task A_scheduled_addComposeHash_takes_effect_only_after_the_delay()
    {
        var proposer = chain.Sender(4);
        var timelock = await TestArtifact.Timelock.DeployAsync(proposer, AbiEncoder.Encode(
            [AbiType.UInt256, AbiType.ArrayOf(AbiType.Address), AbiType.ArrayOf(AbiType.Address), AbiType.Address],
            [new BigInteger(Delay), new object?[] { proposer.Address }, new object?[] { proposer.Address }, EvmAddress.Zero]));

        // the EOA that deployed the app hands it to the timelock: transfer (step 1), then the timelock accepts (step 2)
        var app = await chain.DeployAppAsync("--allow-any-device");
        (await chain.GovAsAsync(0, "transfer-ownership", "--app", app.ToString(), "--to", timelock.ToString())).Succeeded();
        var accept = await CalldataAsync("accept-ownership", "--app", app.ToString());
        await ScheduleAsync(proposer, timelock, app, accept);
        await AssertTooEarlyAsync(proposer, timelock, app, accept);
        await chain.Node.AdvanceTimeAsync(Delay);
        await ExecuteAsync(proposer, timelock, app, accept);
        var contract = new DstackAppContract(chain.Node.Rpc, app);
        Assert.Equal(timelock, await contract.OwnerAsync());

        // the old key can no longer change the allow-list directly
        Assert.Equal(1, (await chain.GovAsAsync(0, "add-compose-hash", "--app", app.ToString(), "--compose", ComposeFile)).ExitCode);

        var add = await CalldataAsync("add-compose-hash", "--app", app.ToString(), "--compose", ComposeFile);
        await ScheduleAsync(proposer, timelock, app, add);
        var boot = chain.BootInfo(app, ComposeHash);
        await AssertTooEarlyAsync(proposer, timelock, app, add);
        await chain.Node.AdvanceTimeAsync(Delay / 2);
        await AssertTooEarlyAsync(proposer, timelock, app, add);
        Assert.Equal(new AuthorizationResult(false, "Compose hash not allowed"), await chain.KmsContract.IsAppAllowedAsync(boot));

        await chain.Node.AdvanceTimeAsync(Delay / 2);
        await ExecuteAsync(proposer, timelock, app, add);
        Assert.Equal(new AuthorizationResult(true, string.Empty), await chain.KmsContract.IsAppAllowedAsync(boot));

        // an auditor sees the timelock as the owner, and the change in the history
        var verify = (await chain.GovAsync("verify", "--kms", chain.Kms.ToString(), "--app", app.ToString(), "--compose", ComposeFile)).Succeeded();
        Assert.Contains($"[PASS] owner: {timelock} is a TimelockController (minimum delay {Delay} s)", verify, StringComparison.Ordinal);
        var history = (await chain.GovAsync("history", "--app", app.ToString())).Succeeded();
        Assert.Contains($"OwnershipTransferred(previousOwner={GovChainFixture.Address(0)}, newOwner={timelock})", history, StringComparison.Ordinal);
        Assert.Contains($"PolicyChanged(actor={timelock}, policy=compose-hash", history, StringComparison.Ordinal);
    }

    private static async Task<byte[]> CalldataAsync(string verb, params string[] args)
    {
        var json = JsonNode.Parse((await Cli.CliRun.RunAsync([verb, .. args, "--calldata", "--json"])).Succeeded())!;
        return Convert.FromHexString(((string)json["data"]!)[2..]);
    }

    private static byte[] Salt(byte[] data) => SHA256.HashData(data);

    private static Task<Dstack.Ethereum.Rpc.TransactionReceipt> ScheduleAsync(TransactionSender proposer, EvmAddress timelock, EvmAddress target, byte[] data) =>
        proposer.SendAsync(timelock, TestArtifact.Timelock.Abi.GetFunction("schedule").EncodeCall(target, BigInteger.Zero, data, new byte[32], Salt(data), new BigInteger(Delay)), default, TestArtifact.Timelock.Abi.Errors);

    private static Task<Dstack.Ethereum.Rpc.TransactionReceipt> ExecuteAsync(TransactionSender executor, EvmAddress timelock, EvmAddress target, byte[] data) =>
        executor.SendAsync(timelock, TestArtifact.Timelock.Abi.GetFunction("execute").EncodeCall(target, BigInteger.Zero, data, new byte[32], Salt(data)), default, TestArtifact.Timelock.Abi.Errors);

    private static async Task AssertTooEarlyAsync(TransactionSender executor, EvmAddress timelock, EvmAddress target, byte[] data)
    {
        var early = await Assert.ThrowsAsync<TransactionRevertedException>(() => ExecuteAsync(executor, timelock, target, data));
        Assert.Equal("TimelockUnexpectedOperationState", early.Reason?.Error?.Name);
    }
}
