using System.Text.Json.Nodes;
using Dstack.Attestation.OsImage;
using Dstack.Ethereum;
using Dstack.Ethereum.Transactions;
using Dstack.Gov.Tests.Chain;
using Dstack.Gov.Tests.Cli;
using Dstack.Tests;

namespace Dstack.Gov.Tests.Governance;

/// <summary>
/// The governance chain plus a 2-of-3 Safe (signers: dev accounts 1–3; transactions submitted by account 4) that owns an app: the app was deployed by
/// account 0, offered to the Safe with <c>transfer-ownership</c>, accepted by a Safe transaction, and the simulator's
/// compose hash was then allowed by another Safe transaction. Last, the KMS owner (account 0) allows the simulated
/// TDs' OS image (<see cref="SimulatedOsImage.Default"/>), so that <c>verify --agent</c> against a simulated TD passes;
/// <see cref="BlockBeforeOsImage"/> is the block just before that.
/// </summary>
public sealed class SafeChainFixture : IAsyncLifetime, IDisposable
{
    public static readonly string ComposeFile = SharedFiles.Fixture("simulator-app-compose.json");

    public GovChainFixture Chain { get; } = new();

    public SafeMultisig Safe { get; private set; } = null!;

    public EvmAddress App { get; private set; }

    /// <summary>A block at which everything but the simulated OS image is in place.</summary>
    public ulong BlockBeforeOsImage { get; private set; }

    public Signer[] Signers { get; } = [.. Enumerable.Range(1, 3).Select(i => Signer.FromHex(AnvilNode.DevKeys[i]))];

    public TransactionSender Submitter { get; private set; } = null!;

    /// <summary>The owner call data that <c>dstack-gov VERB … --calldata --json</c> prints.</summary>
    public static async Task<byte[]> CalldataAsync(string verb, params string[] args)
    {
        var json = JsonNode.Parse((await CliRun.RunAsync([verb, .. args, "--calldata", "--json"])).Succeeded())!;
        return Convert.FromHexString(((string)json["data"]!)[2..]);
    }

    public async Task InitializeAsync()
    {
        await Chain.InitializeAsync();
        Submitter = Chain.Sender(4); // not used by the CLI runs, so its locally tracked nonce stays right
        Safe = await SafeMultisig.CreateAsync(Submitter, [.. Signers.Select(s => s.Address)], 2);
        App = await Chain.DeployAppAsync("--allow-any-device");
        (await Chain.GovAsAsync(0, "transfer-ownership", "--app", App.ToString(), "--to", Safe.Address.ToString())).Succeeded();
        await Safe.ExecuteAsync(Submitter, App, await CalldataAsync("accept-ownership", "--app", App.ToString()), Signers[0], Signers[1]);
        await Safe.ExecuteAsync(Submitter, App, await CalldataAsync("add-compose-hash", "--app", App.ToString(), "--compose", ComposeFile), Signers[1], Signers[2]);
        BlockBeforeOsImage = await Chain.Node.Rpc.GetBlockNumberAsync();
        (await Chain.GovAsAsync(0, "add-os-image", "--kms", Chain.Kms.ToString(), "0x" + SimulatedOsImage.Default.OsImageHashHex)).Succeeded();
    }

    public Task DisposeAsync() => Chain.DisposeAsync();

    public void Dispose()
    {
        foreach (var signer in Signers)
        {
            signer.Dispose();
        }

        Chain.Dispose();
    }
}
