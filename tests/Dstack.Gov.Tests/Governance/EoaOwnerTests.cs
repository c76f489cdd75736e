using System.Text.Json.Nodes;
using Dstack.Ethereum;
using Dstack.Ethereum.Contracts;
using Dstack.Ethereum.Transactions;
using Dstack.Gov.Tests.Chain;
using Dstack.Gov.Tests.Cli;
using Dstack.Tests;

namespace Dstack.Gov.Tests.Governance;

/// <summary>An app owned by a single key (dev account 0), governed with <c>dstack-gov</c> and judged by the KMS contract's <c>isAppAllowed</c>.</summary>
public sealed class EoaOwnerTests(GovChainFixture chain) : IClassFixture<GovChainFixture>
{
    private static readonly string ComposeFile = SharedFiles.Fixture("simulator-app-compose.json");
    private static readonly byte[] ComposeHash = Convert.FromHexString("65b4e574f16973956908b6359920593c3b7d9f36f38e81a47f996a0c0d5435bb");

    [Fact]
    public async Task Adding_the_compose_hash_lets_the_vm_boot_and_removing_it_refuses_the_next_boot()
    {
        var app = await chain.DeployAppAsync("--allow-any-device");
        var boot = chain.BootInfo(app, ComposeHash);
        Assert.Equal(new AuthorizationResult(false, "Compose hash not allowed"), await chain.KmsContract.IsAppAllowedAsync(boot));

        var added = (await chain.GovAsAsync(0, "add-compose-hash", "--app", app.ToString(), "--compose", ComposeFile)).Succeeded();
        Assert.Contains("ComposeHashAdded(composeHash=0x65b4e574", added, StringComparison.Ordinal);
        Assert.Contains("PolicyChanged(actor=" + GovChainFixture.Address(0) + ", policy=compose-hash", added, StringComparison.Ordinal);
        Assert.Equal(new AuthorizationResult(true, string.Empty), await chain.KmsContract.IsAppAllowedAsync(boot));

        (await chain.GovAsAsync(0, "remove-compose-hash", "--app", app.ToString(), "0x65b4e574f16973956908b6359920593c3b7d9f36f38e81a47f996a0c0d5435bb")).Succeeded();
        Assert.Equal(new AuthorizationResult(false, "Compose hash not allowed"), await chain.KmsContract.IsAppAllowedAsync(boot));
    }

    [Fact]
    public async Task An_os_image_the_kms_owner_did_not_allow_is_refused_with_the_contract_reason()
    {
        var app = await chain.DeployAppAsync("--allow-any-device", "--compose", ComposeFile);
        var other = GovChainFixture.RandomHash();
        var boot = chain.BootInfo(app, ComposeHash) with { OsImageHash = other };
        Assert.Equal(new AuthorizationResult(false, "OS image is not allowed"), await chain.KmsContract.IsAppAllowedAsync(boot));

        (await chain.GovAsAsync(0, "add-os-image", "--kms", chain.Kms.ToString(), GovChainFixture.Hex(other))).Succeeded();
        Assert.True((await chain.KmsContract.IsAppAllowedAsync(boot)).IsAllowed);
        (await chain.GovAsAsync(0, "remove-os-image", "--kms", chain.Kms.ToString(), GovChainFixture.Hex(other))).Succeeded();
        Assert.Equal("OS image is not allowed", (await chain.KmsContract.IsAppAllowedAsync(boot)).Reason);
    }

    [Fact]
    public async Task Device_rules_with_and_without_allow_any_device()
    {
        var device = GovChainFixture.RandomHash();
        var app = await chain.DeployAppAsync("--compose", ComposeFile);
        var boot = chain.BootInfo(app, ComposeHash, device);
        Assert.Equal(new AuthorizationResult(false, "Device not allowed"), await chain.KmsContract.IsAppAllowedAsync(boot));

        (await chain.GovAsAsync(0, "add-device", "--app", app.ToString(), GovChainFixture.Hex(device))).Succeeded();
        Assert.True((await chain.KmsContract.IsAppAllowedAsync(boot)).IsAllowed);
        Assert.Equal("Device not allowed", (await chain.KmsContract.IsAppAllowedAsync(boot with { DeviceId = GovChainFixture.RandomHash() })).Reason);

        (await chain.GovAsAsync(0, "set-allow-any-device", "--app", app.ToString(), "true")).Succeeded();
        Assert.True((await chain.KmsContract.IsAppAllowedAsync(boot with { DeviceId = GovChainFixture.RandomHash() })).IsAllowed);

        // removing a device while any device is allowed changes nothing, and the events say so
        var removed = (await chain.GovAsAsync(0, "remove-device", "--app", app.ToString(), GovChainFixture.Hex(device))).Succeeded();
        Assert.Contains("policy=allow-any-device", removed, StringComparison.Ordinal);
        Assert.True((await chain.KmsContract.IsAppAllowedAsync(boot)).IsAllowed);

        (await chain.GovAsAsync(0, "set-allow-any-device", "--app", app.ToString(), "false")).Succeeded();
        Assert.Equal("Device not allowed", (await chain.KmsContract.IsAppAllowedAsync(boot)).Reason);
    }

    [Fact]
    public async Task Kms_onboarding_rules_are_managed_with_add_kms_mr_and_add_kms_device()
    {
        var mr = GovChainFixture.RandomHash();
        var device = GovChainFixture.RandomHash();
        var boot = chain.BootInfo(EvmAddress.Zero, GovChainFixture.RandomHash(), device) with { MrAggregated = mr };
        Assert.Equal("Aggregated MR not allowed", (await chain.KmsContract.IsKmsAllowedAsync(boot)).Reason);
        (await chain.GovAsAsync(0, "add-kms-mr", "--kms", chain.Kms.ToString(), GovChainFixture.Hex(mr))).Succeeded();
        Assert.Equal("KMS is not allowed to boot on this device", (await chain.KmsContract.IsKmsAllowedAsync(boot)).Reason);
        (await chain.GovAsAsync(0, "add-kms-device", "--kms", chain.Kms.ToString(), GovChainFixture.Hex(device))).Succeeded();
        Assert.Equal(new AuthorizationResult(true, string.Empty), await chain.KmsContract.IsKmsAllowedAsync(boot));
        (await chain.GovAsAsync(0, "remove-kms-mr", "--kms", chain.Kms.ToString(), GovChainFixture.Hex(mr))).Succeeded();
        Assert.Equal("Aggregated MR not allowed", (await chain.KmsContract.IsKmsAllowedAsync(boot)).Reason);
    }

    [Fact]
    public async Task A_non_owner_is_refused_with_the_decoded_reason_and_the_owner_named()
    {
        var app = await chain.DeployAppAsync();
        var run = await chain.GovAsAsync(1, "add-compose-hash", "--app", app.ToString(), GovChainFixture.Hex(ComposeHash));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(("OwnableUnauthorizedAccount(" + GovChainFixture.Address(1)).ToLowerInvariant(), run.Error.ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Contains("(" + GovChainFixture.Address(0) + " is)", run.Error, StringComparison.Ordinal);
        Assert.Contains("--calldata", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(AnvilNode.DevKeys[1][2..], run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revert_reason_string_is_printed()
    {
        var run = await chain.GovAsAsync(0, "deploy-app", "--kms", chain.Kms.ToString(), "--owner", "0x0000000000000000000000000000000000000000");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("would revert", run.Error, StringComparison.Ordinal);
        Assert.Contains("Invalid owner address", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_chain_id_is_an_error_before_anything_is_sent()
    {
        var run = await CliRun.RunAsync("add-os-image", "--kms", chain.Kms.ToString(), GovChainFixture.Hex(GovChainFixture.RandomHash()),
            "--rpc", chain.RpcUrl, "--chain-id", "1", "--key-file", chain.KeyFile(0));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("wrong chain: the RPC endpoint serves chain id 31337, but --chain-id is 1", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_first_rpc_url_fails_over_to_the_next()
    {
        var app = await chain.DeployAppAsync("--compose", ComposeFile);
        var run = await CliRun.RunAsync("verify", "--kms", chain.Kms.ToString(), "--app", app.ToString(), "--compose", ComposeFile,
            "--expect-owner", GovChainFixture.Address(0).ToString(), "--rpc", "http://127.0.0.1:1/", "--rpc", chain.RpcUrl);
        run.Succeeded();
    }

    [Fact]
    public async Task Ownership_moves_in_two_steps_and_only_the_pending_owner_can_accept()
    {
        var app = await chain.DeployAppAsync();
        var contract = new DstackAppContract(chain.Node.Rpc, app);
        (await chain.GovAsAsync(0, "transfer-ownership", "--app", app.ToString(), "--to", GovChainFixture.Address(1).ToString())).Succeeded();
        Assert.Equal(GovChainFixture.Address(0), await contract.OwnerAsync());
        Assert.Equal(GovChainFixture.Address(1), await contract.PendingOwnerAsync());

        // the old owner still governs until the transfer is accepted
        (await chain.GovAsAsync(0, "add-compose-hash", "--app", app.ToString(), GovChainFixture.Hex(ComposeHash))).Succeeded();

        var stranger = await chain.GovAsAsync(2, "accept-ownership", "--app", app.ToString());
        Assert.Equal(1, stranger.ExitCode);
        Assert.Contains("OwnableUnauthorizedAccount", stranger.Error, StringComparison.Ordinal);

        (await chain.GovAsAsync(1, "accept-ownership", "--app", app.ToString())).Succeeded();
        Assert.Equal(GovChainFixture.Address(1), await contract.OwnerAsync());
        Assert.Equal(EvmAddress.Zero, await contract.PendingOwnerAsync());
        Assert.Equal(1, (await chain.GovAsAsync(0, "remove-compose-hash", "--app", app.ToString(), GovChainFixture.Hex(ComposeHash))).ExitCode);
        (await chain.GovAsAsync(1, "remove-compose-hash", "--app", app.ToString(), GovChainFixture.Hex(ComposeHash))).Succeeded();

        var history = JsonNode.Parse((await chain.GovAsync("history", "--app", app.ToString(), "--json")).Succeeded())!;
        var names = history["events"]!.AsArray().Select(e => (string)e!["event"]!).ToArray();
        Assert.Equal(1, names.Count(n => n == "OwnershipTransferStarted"));
        Assert.Equal(2, names.Count(n => n == "OwnershipTransferred")); // creation, then the accepted transfer
        Assert.True(Array.IndexOf(names, "OwnershipTransferStarted") < Array.LastIndexOf(names, "OwnershipTransferred"));
    }

    [Fact]
    public async Task Upgrades_disabled_at_creation_stay_disabled_for_every_owner()
    {
        var app = await chain.DeployAppAsync("--disable-upgrades");
        var owner = chain.Sender(0);
        var implementation = await DstackAppContract.DeployImplementationAsync(owner);
        var contract = new DstackAppContract(chain.Node.Rpc, app, owner);
        var refused = await Assert.ThrowsAsync<TransactionRevertedException>(() => contract.UpgradeToAndCallAsync(implementation, []));
        Assert.Equal("Upgrades are permanently disabled", refused.Reason?.Message);

        (await chain.GovAsAsync(0, "transfer-ownership", "--app", app.ToString(), "--to", GovChainFixture.Address(3).ToString())).Succeeded();
        (await chain.GovAsAsync(3, "accept-ownership", "--app", app.ToString())).Succeeded();
        var newOwner = new DstackAppContract(chain.Node.Rpc, app, chain.Sender(3));
        refused = await Assert.ThrowsAsync<TransactionRevertedException>(() => newOwner.UpgradeToAndCallAsync(implementation, []));
        Assert.Equal("Upgrades are permanently disabled", refused.Reason?.Message);

        var history = (await chain.GovAsync("history", "--app", app.ToString())).Succeeded();
        Assert.Contains("UpgradesDisabled()", history, StringComparison.Ordinal);
        Assert.DoesNotContain("Upgraded(implementation=" + implementation, history, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_lists_every_governance_event_with_block_time_and_transaction()
    {
        var app = await chain.DeployAppAsync("--compose", ComposeFile);
        (await chain.GovAsAsync(0, "remove-compose-hash", "--app", app.ToString(), "--compose", ComposeFile)).Succeeded();
        (await chain.GovAsAsync(0, "set-allow-any-device", "--app", app.ToString(), "true")).Succeeded();

        var text = (await chain.GovAsync("history", "--app", app.ToString())).Succeeded();
        Assert.Matches(@"block \d+  \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ  tx 0x[0-9a-f]{64}  ComposeHashAdded\(composeHash=0x65b4e574", text);
        Assert.Contains("ComposeHashRemoved(composeHash=0x65b4e574", text, StringComparison.Ordinal);
        Assert.Contains("AllowAnyDeviceSet(allowAny=true)", text, StringComparison.Ordinal);
        Assert.Contains("policy=allow-any-device", text, StringComparison.Ordinal);

        var json = JsonNode.Parse((await chain.GovAsync("history", "--app", app.ToString(), "--json")).Succeeded())!;
        var events = json["events"]!.AsArray();
        var removed = events.Single(e => (string)e!["event"]! == "ComposeHashRemoved")!;
        Assert.Equal("0x65b4e574f16973956908b6359920593c3b7d9f36f38e81a47f996a0c0d5435bb", (string)removed["args"]!["composeHash"]!);
        Assert.Matches("^0x[0-9a-f]{64}$", (string)removed["transaction"]!);
        Assert.True((ulong)removed["block"]! > 0);
        Assert.StartsWith(DateTimeOffset.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), (string)removed["time"]!, StringComparison.Ordinal);
        var policies = events.Where(e => (string)e!["event"]! == "PolicyChanged").Select(e => (string)e!["args"]!["policy"]!).ToArray();
        Assert.Contains("compose-hash", policies);
        Assert.Contains("allow-any-device", policies);

        var kms = (await chain.GovAsync("history", "--kms", chain.Kms.ToString())).Succeeded();
        Assert.Contains("AppDeployedViaFactory(appId=" + app, kms, StringComparison.Ordinal);
        Assert.Contains("OsImageHashAdded(osImageHash=" + GovChainFixture.Hex(chain.OsImage), kms, StringComparison.Ordinal);
        Assert.Contains("policy=app-implementation", kms, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_needs_exactly_one_contract_and_an_existing_one()
    {
        Assert.Equal(2, (await chain.GovAsync("history")).ExitCode);
        var nothing = await chain.GovAsync("history", "--app", "0x000000000000000000000000000000000000dEaD");
        Assert.Equal(1, nothing.ExitCode);
        Assert.Contains("no contract at", nothing.Error, StringComparison.Ordinal);
    }
}
