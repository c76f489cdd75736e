using System.Text;
using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Contracts;
using Dstack.Ethereum.Rpc;
using Dstack.Ethereum.Transactions;

namespace Dstack.Ethereum.Tests.Chain;

/// <summary>The contracts on a real chain (anvil), driven through the bindings: kms.md §5 checks, reasons, events.</summary>
public sealed class GovernanceTests(ChainFixture chain) : IClassFixture<ChainFixture>
{
    private static readonly byte[] AppAuthId = Convert.FromHexString("1e079198");
    private static readonly byte[] ManagementId = Convert.FromHexString("8fd37527");
    private static readonly byte[] Erc165Id = Convert.FromHexString("01ffc9a7");

    private async Task<(DstackAppContract App, AppBootInfo BootInfo)> NewAllowedAppAsync(bool allowAnyDevice = false, bool disableUpgrades = false)
    {
        var composeHash = ChainFixture.RandomHash();
        var deviceId = ChainFixture.RandomHash();
        var osImage = ChainFixture.RandomHash();
        var (appId, _) = await chain.Kms.DeployAndRegisterAppAsync(chain.Owner.Address, disableUpgrades, false, allowAnyDevice, deviceId, composeHash);
        await chain.Kms.AddOsImageHashAsync(osImage);
        var bootInfo = new AppBootInfo
        {
            AppId = appId,
            ComposeHash = composeHash,
            DeviceId = deviceId,
            OsImageHash = osImage,
            MrAggregated = ChainFixture.RandomHash(),
            MrSystem = ChainFixture.RandomHash(),
            TcbStatus = "UpToDate",
        };
        return (new DstackAppContract(chain.Node.Rpc, appId, chain.OwnerSender), bootInfo);
    }

    [Fact]
    public async Task Kms_proxy_is_initialized_with_owner_implementation_and_interfaces()
    {
        Assert.Equal(chain.Owner.Address, await chain.Kms.OwnerAsync());
        Assert.Equal(chain.AppImplementation, await chain.Kms.AppImplementationAsync());
        Assert.True(await chain.Kms.SupportsInterfaceAsync(AppAuthId));
        Assert.True(await chain.Kms.SupportsInterfaceAsync(Erc165Id));
        Assert.False(await chain.Kms.SupportsInterfaceAsync(ManagementId));
        Assert.Equal("5.0.0", await chain.Kms.UpgradeInterfaceVersionAsync());

        var again = DstackKmsContract.Abi.GetFunction("initialize(address,address)").EncodeCall(chain.Other.Address, chain.AppImplementation);
        var ex = await Assert.ThrowsAsync<TransactionRevertedException>(() => chain.OwnerSender.SendAsync(chain.Kms.Address, again, default, DstackKmsContract.Abi.Errors));
        Assert.Equal("InvalidInitialization", ex.Reason?.Error?.Name);
    }

    [Fact]
    public async Task Factory_deploys_registers_and_reports_the_app_id()
    {
        var composeHash = ChainFixture.RandomHash();
        var (appId, receipt) = await chain.Kms.DeployAndRegisterAppAsync(chain.Owner.Address, false, true, false, new byte[32], composeHash);
        Assert.True(await chain.Kms.RegisteredAppsAsync(appId));
        Assert.NotEmpty(await chain.Node.Rpc.GetCodeAsync(appId, BlockTag.Latest));

        var kmsEvents = chain.Kms.DecodeEvents(receipt);
        Assert.Contains(kmsEvents, e => e.Name == "AppRegistered" && (EvmAddress)e["appId"]! == appId);
        var factory = Assert.Single(kmsEvents, e => e.Name == "AppDeployedViaFactory");
        Assert.Equal(chain.Owner.Address, factory["deployer"]);
        Assert.Contains(kmsEvents, e => e.Name == "PolicyChanged" && ((byte[])e["policy"]!).SequenceEqual(AbiSignature.Hash("registered-app")));

        var app = new DstackAppContract(chain.Node.Rpc, appId);
        var appEvents = app.DecodeEvents(receipt);
        Assert.Contains(appEvents, e => e.Name == "ComposeHashAdded" && ((byte[])e["composeHash"]!).SequenceEqual(composeHash));
        Assert.Contains(appEvents, e => e.Name == "OwnershipTransferred");
        Assert.DoesNotContain(appEvents, e => e.Name == "DeviceAdded"); // zero device id is not added
        Assert.Equal(2, (int)await app.VersionAsync());
        Assert.True(await app.RequireTcbUpToDateAsync());
        Assert.True(await app.AllowedComposeHashesAsync(composeHash));
        Assert.True(await app.SupportsInterfaceAsync(AppAuthId));
        Assert.True(await app.SupportsInterfaceAsync(ManagementId));
        Assert.True(await app.SupportsInterfaceAsync(Erc165Id));
        Assert.Equal(chain.Owner.Address, await app.OwnerAsync());
    }

    [Fact]
    public async Task IsAppAllowed_checks_registration_os_image_code_compose_hash_and_device_in_order()
    {
        var (app, boot) = await NewAllowedAppAsync();
        Assert.Equal(new AuthorizationResult(true, string.Empty), await chain.Kms.IsAppAllowedAsync(boot));
        Assert.Equal(new AuthorizationResult(true, string.Empty), await app.IsAppAllowedAsync(boot));

        Assert.Equal(new AuthorizationResult(false, "App not registered"), await chain.Kms.IsAppAllowedAsync(boot with { AppId = ChainFixture.RandomAddress() }));
        Assert.Equal(new AuthorizationResult(false, "OS image is not allowed"), await chain.Kms.IsAppAllowedAsync(boot with { OsImageHash = ChainFixture.RandomHash() }));
        Assert.Equal(new AuthorizationResult(false, "Compose hash not allowed"), await chain.Kms.IsAppAllowedAsync(boot with { ComposeHash = ChainFixture.RandomHash() }));
        Assert.Equal(new AuthorizationResult(false, "Device not allowed"), await chain.Kms.IsAppAllowedAsync(boot with { DeviceId = ChainFixture.RandomHash() }));
        // registration and OS image come before the compose hash
        Assert.Equal("OS image is not allowed", (await chain.Kms.IsAppAllowedAsync(boot with { OsImageHash = ChainFixture.RandomHash(), ComposeHash = ChainFixture.RandomHash() })).Reason);

        var codeless = ChainFixture.RandomAddress();
        await chain.Kms.RegisterAppAsync(codeless);
        Assert.Equal(new AuthorizationResult(false, "App not deployed or invalid address"), await chain.Kms.IsAppAllowedAsync(boot with { AppId = codeless }));
    }

    [Fact]
    public async Task Removing_a_compose_hash_refuses_the_next_boot_and_eth_call_at_an_older_block_still_sees_it()
    {
        var (app, boot) = await NewAllowedAppAsync();
        var before = await chain.Node.Rpc.GetBlockNumberAsync();
        var receipt = await app.RemoveComposeHashAsync(boot.ComposeHash);
        Assert.Equal(new AuthorizationResult(false, "Compose hash not allowed"), await chain.Kms.IsAppAllowedAsync(boot));
        Assert.Equal(new AuthorizationResult(true, string.Empty), await chain.Kms.IsAppAllowedAsync(boot, BlockTag.AtNumber(before)));
        Assert.Equal(new AuthorizationResult(false, "Compose hash not allowed"), await chain.Kms.IsAppAllowedAsync(boot, BlockTag.AtNumber(receipt.BlockNumber)));
        Assert.False(await app.AllowedComposeHashesAsync(boot.ComposeHash));
        Assert.True(await app.AllowedComposeHashesAsync(boot.ComposeHash, BlockTag.AtNumber(before)));

        await app.AddComposeHashAsync(boot.ComposeHash);
        Assert.True((await chain.Kms.IsAppAllowedAsync(boot)).IsAllowed);

        var events = await app.GetEventsAsync(BlockTag.AtNumber(before + 1), BlockTag.Latest);
        Assert.Equal(["ComposeHashRemoved", "PolicyChanged", "ComposeHashAdded", "PolicyChanged"], events.Select(e => e.Name).ToArray());
        Assert.Equal(boot.ComposeHash, (byte[])events[0]["composeHash"]!);
        Assert.Equal(AbiSignature.Hash("compose-hash"), (byte[])events[1]["policy"]!);
        Assert.Equal(boot.ComposeHash, (byte[])events[1]["value"]!);
        Assert.False((bool)events[1]["enabled"]!);
        Assert.True((bool)events[3]["enabled"]!);
        Assert.Equal(chain.Owner.Address, events[1]["actor"]);
    }

    [Fact]
    public async Task Device_rules_with_and_without_allow_any_device()
    {
        var (app, boot) = await NewAllowedAppAsync();
        var otherDevice = boot with { DeviceId = ChainFixture.RandomHash() };
        Assert.Equal("Device not allowed", (await chain.Kms.IsAppAllowedAsync(otherDevice)).Reason);
        await app.AddDeviceAsync(otherDevice.DeviceId);
        Assert.True((await chain.Kms.IsAppAllowedAsync(otherDevice)).IsAllowed);
        await app.RemoveDeviceAsync(otherDevice.DeviceId);
        Assert.Equal("Device not allowed", (await chain.Kms.IsAppAllowedAsync(otherDevice)).Reason);

        var set = await app.SetAllowAnyDeviceAsync(true);
        Assert.Contains(app.DecodeEvents(set), e => e.Name == "AllowAnyDeviceSet" && (bool)e["allowAny"]!);
        Assert.True(await app.AllowAnyDeviceAsync());
        Assert.True((await chain.Kms.IsAppAllowedAsync(otherDevice)).IsAllowed);

        // a removal under allowAnyDevice has no effect on the decision; the events say so
        var removal = await app.RemoveDeviceAsync(boot.DeviceId);
        Assert.True((await chain.Kms.IsAppAllowedAsync(boot)).IsAllowed);
        Assert.Contains(app.DecodeEvents(removal), e => e.Name == "PolicyChanged"
            && ((byte[])e["policy"]!).SequenceEqual(AbiSignature.Hash("allow-any-device")) && (bool)e["enabled"]!);

        await app.SetAllowAnyDeviceAsync(false);
        Assert.Equal("Device not allowed", (await chain.Kms.IsAppAllowedAsync(boot)).Reason);
    }

    [Fact]
    public async Task Tcb_requirement_is_checked_first_when_enabled()
    {
        var (app, boot) = await NewAllowedAppAsync();
        var outOfDate = boot with { TcbStatus = "OutOfDate", ComposeHash = ChainFixture.RandomHash() };
        Assert.Equal("Compose hash not allowed", (await chain.Kms.IsAppAllowedAsync(outOfDate)).Reason);
        await app.SetRequireTcbUpToDateAsync(true);
        Assert.Equal("TCB status is not up to date", (await chain.Kms.IsAppAllowedAsync(outOfDate)).Reason);
        Assert.Equal("TCB status is not up to date", (await chain.Kms.IsAppAllowedAsync(boot with { TcbStatus = "uptodate" })).Reason);
        Assert.True((await chain.Kms.IsAppAllowedAsync(boot)).IsAllowed);
    }

    [Fact]
    public async Task IsKmsAllowed_checks_tcb_os_image_mr_and_device_in_order()
    {
        var boot = new AppBootInfo
        {
            OsImageHash = ChainFixture.RandomHash(),
            MrAggregated = ChainFixture.RandomHash(),
            DeviceId = ChainFixture.RandomHash(),
            TcbStatus = "UpToDate",
            AdvisoryIds = ["INTEL-SA-00837"],
        };
        Assert.Equal(new AuthorizationResult(false, "TCB status is not up to date"), await chain.Kms.IsKmsAllowedAsync(boot with { TcbStatus = "SWHardeningNeeded" }));
        Assert.Equal(new AuthorizationResult(false, "OS image is not allowed"), await chain.Kms.IsKmsAllowedAsync(boot));
        await chain.Kms.AddOsImageHashAsync(boot.OsImageHash);
        Assert.Equal(new AuthorizationResult(false, "Aggregated MR not allowed"), await chain.Kms.IsKmsAllowedAsync(boot));
        await chain.Kms.AddKmsAggregatedMrAsync(boot.MrAggregated);
        Assert.Equal(new AuthorizationResult(false, "KMS is not allowed to boot on this device"), await chain.Kms.IsKmsAllowedAsync(boot));
        await chain.Kms.AddKmsDeviceAsync(boot.DeviceId);
        Assert.Equal(new AuthorizationResult(true, string.Empty), await chain.Kms.IsKmsAllowedAsync(boot));
        Assert.True(await chain.Kms.KmsAllowedDeviceIdsAsync(boot.DeviceId));
        Assert.True(await chain.Kms.KmsAllowedAggregatedMrsAsync(boot.MrAggregated));
        Assert.True(await chain.Kms.AllowedOsImagesAsync(boot.OsImageHash));

        var removed = await chain.Kms.RemoveKmsAggregatedMrAsync(boot.MrAggregated);
        Assert.Contains(chain.Kms.DecodeEvents(removed), e => e.Name == "KmsAggregatedMrRemoved");
        Assert.Equal("Aggregated MR not allowed", (await chain.Kms.IsKmsAllowedAsync(boot)).Reason);
        await chain.Kms.RemoveKmsDeviceAsync(boot.DeviceId);
        await chain.Kms.RemoveOsImageHashAsync(boot.OsImageHash);
        Assert.Equal("OS image is not allowed", (await chain.Kms.IsKmsAllowedAsync(boot)).Reason);
    }

    [Fact]
    public async Task Kms_info_and_gateway_app_id_are_stored_with_events()
    {
        var info = new KmsInfo(Enumerable.Repeat((byte)2, 33).ToArray(), [1, 2, 3], Encoding.ASCII.GetBytes("quote"), []);
        var receipt = await chain.Kms.SetKmsInfoAsync(info);
        Assert.Contains(chain.Kms.DecodeEvents(receipt), e => e.Name == "KmsInfoSet" && ((byte[])e["k256Pubkey"]!).SequenceEqual(info.K256Pubkey));
        await chain.Kms.SetKmsEventlogAsync(Encoding.ASCII.GetBytes("[]"));
        var stored = await chain.Kms.KmsInfoAsync();
        Assert.Equal(info.K256Pubkey, stored.K256Pubkey);
        Assert.Equal(info.CaPubkey, stored.CaPubkey);
        Assert.Equal(info.Quote, stored.Quote);
        Assert.Equal("[]"u8.ToArray(), stored.Eventlog);

        var gateway = await chain.Kms.SetGatewayAppIdAsync("gateway-app");
        Assert.Equal("gateway-app", await chain.Kms.GatewayAppIdAsync());
        var policy = Assert.Single(chain.Kms.DecodeEvents(gateway), e => e.Name == "PolicyChanged");
        Assert.Equal(AbiSignature.Hash("gateway-app"), (byte[])policy["value"]!);
    }

    [Fact]
    public async Task Ownership_transfers_in_two_steps_and_non_owners_are_refused()
    {
        var (app, boot) = await NewAllowedAppAsync();
        var started = await app.TransferOwnershipAsync(chain.Other.Address);
        Assert.Contains(app.DecodeEvents(started), e => e.Name == "OwnershipTransferStarted" && (EvmAddress)e["newOwner"]! == chain.Other.Address);
        Assert.Equal(chain.Owner.Address, await app.OwnerAsync());
        Assert.Equal(chain.Other.Address, await app.PendingOwnerAsync());

        var asOther = new DstackAppContract(chain.Node.Rpc, app.Address, chain.OtherSender);
        var accepted = await asOther.AcceptOwnershipAsync();
        Assert.Contains(asOther.DecodeEvents(accepted), e => e.Name == "OwnershipTransferred" && (EvmAddress)e["newOwner"]! == chain.Other.Address);
        Assert.Equal(chain.Other.Address, await app.OwnerAsync());
        Assert.Equal(EvmAddress.Zero, await app.PendingOwnerAsync());

        var refused = await Assert.ThrowsAsync<TransactionRevertedException>(() => app.AddComposeHashAsync(ChainFixture.RandomHash()));
        Assert.Equal(RevertReasonKind.CustomError, refused.Reason!.Kind);
        Assert.Equal("OwnableUnauthorizedAccount", refused.Reason.Error!.Name);
        Assert.Equal(chain.Owner.Address, refused.Reason.Arguments[0]);

        await asOther.RemoveComposeHashAsync(boot.ComposeHash);
        Assert.Equal("Compose hash not allowed", (await chain.Kms.IsAppAllowedAsync(boot)).Reason);

        var notKmsOwner = new DstackKmsContract(chain.Node.Rpc, chain.Kms.Address, chain.OtherSender);
        var kmsRefused = await Assert.ThrowsAsync<TransactionRevertedException>(() => notKmsOwner.AddOsImageHashAsync(ChainFixture.RandomHash()));
        Assert.Equal("OwnableUnauthorizedAccount", kmsRefused.Reason!.Error!.Name);
    }

    [Fact]
    public async Task Upgrades_work_until_disabled_and_stay_disabled()
    {
        var (app, boot) = await NewAllowedAppAsync();
        var newImplementation = await DstackAppContract.DeployImplementationAsync(chain.OwnerSender);
        var upgraded = await app.UpgradeToAndCallAsync(newImplementation, []);
        Assert.Contains(app.DecodeEvents(upgraded), e => e.Name == "Upgraded" && (EvmAddress)e["implementation"]! == newImplementation);
        Assert.True((await chain.Kms.IsAppAllowedAsync(boot)).IsAllowed); // state survives the upgrade

        var disabled = await app.DisableUpgradesAsync();
        Assert.Contains(app.DecodeEvents(disabled), e => e.Name == "UpgradesDisabled");
        var refused = await Assert.ThrowsAsync<TransactionRevertedException>(() => app.UpgradeToAndCallAsync(chain.AppImplementation, []));
        Assert.Equal("Upgrades are permanently disabled", refused.Reason?.Message);

        // disabling again is harmless, and it is still refused afterwards
        await app.DisableUpgradesAsync();
        await Assert.ThrowsAsync<TransactionRevertedException>(() => app.UpgradeToAndCallAsync(newImplementation, []));

        var (frozen, _) = await NewAllowedAppAsync(disableUpgrades: true);
        var frozenRefused = await Assert.ThrowsAsync<TransactionRevertedException>(() => frozen.UpgradeToAndCallAsync(newImplementation, []));
        Assert.Equal("Upgrades are permanently disabled", frozenRefused.Reason?.Message);
    }

    [Fact]
    public async Task Reverts_are_decoded_to_their_reason()
    {
        var ex = await Assert.ThrowsAsync<TransactionRevertedException>(() => chain.Kms.RegisterAppAsync(EvmAddress.Zero));
        Assert.Equal("Invalid app ID", ex.Reason?.Message);
        Assert.Null(ex.Receipt);

        var implementation = await Assert.ThrowsAsync<TransactionRevertedException>(() => chain.Kms.SetAppImplementationAsync(EvmAddress.Zero));
        Assert.Equal("Invalid implementation address", implementation.Reason?.Message);

        var owner = await Assert.ThrowsAsync<TransactionRevertedException>(() =>
            chain.Kms.DeployAndRegisterAppAsync(EvmAddress.Zero, false, false, false, new byte[32], new byte[32]));
        Assert.Equal("Invalid owner address", owner.Reason?.Message);

        // eth_call revert surfaces as an RPC error with the revert data
        var call = DstackKmsContract.Abi.GetFunction("registerApp(address)").EncodeCall(EvmAddress.Zero);
        var rpc = await Assert.ThrowsAsync<EthereumRpcException>(() => chain.Node.Rpc.CallAsync(new CallRequest { To = chain.Kms.Address, Data = call }, BlockTag.Latest));
        Assert.Equal("Invalid app ID", rpc.Revert?.Message);
    }

    [Fact]
    public async Task Kms_without_app_implementation_keeps_the_factory_disabled()
    {
        var kms = await DstackKmsContract.DeployAsync(chain.OwnerSender, chain.Owner.Address, EvmAddress.Zero);
        Assert.Equal(EvmAddress.Zero, await kms.AppImplementationAsync());
        var ex = await Assert.ThrowsAsync<TransactionRevertedException>(() =>
            kms.DeployAndRegisterAppAsync(chain.Owner.Address, false, false, false, new byte[32], new byte[32]));
        Assert.Equal("DstackApp implementation not set", ex.Reason?.Message);
        var set = await kms.SetAppImplementationAsync(chain.AppImplementation);
        Assert.Contains(kms.DecodeEvents(set), e => e.Name == "AppImplementationSet");
        var (appId, _) = await kms.DeployAndRegisterAppAsync(chain.Owner.Address, false, false, false, new byte[32], new byte[32]);
        Assert.True(await kms.RegisteredAppsAsync(appId));
    }

    [Fact]
    public async Task Five_argument_factory_leaves_tcb_requirement_off()
    {
        var call = DstackKmsContract.Abi.GetFunction("deployAndRegisterApp(address,bool,bool,bytes32,bytes32)")
            .EncodeCall(chain.Owner.Address, false, true, new byte[32], ChainFixture.RandomHash());
        var receipt = await chain.OwnerSender.SendAsync(chain.Kms.Address, call);
        var appId = (EvmAddress)chain.Kms.DecodeEvents(receipt).Single(e => e.Name == "AppDeployedViaFactory")["appId"]!;
        var app = new DstackAppContract(chain.Node.Rpc, appId);
        Assert.False(await app.RequireTcbUpToDateAsync());
        Assert.True(await app.AllowAnyDeviceAsync());
    }
}
