using Dstack.Ethereum;
using Dstack.Kms.Service;

namespace Dstack.Kms.Tests.OnChain;

/// <summary>
/// The KMS with the on-chain policy against the real contracts on anvil, driven end to end: a simulated VM whose
/// <c>app-id</c> event is the app contract's address asks for its keys, and the app owner (an EOA) governs.
/// </summary>
public sealed class OnChainGovernanceTests(OnChainFixture fixture) : IClassFixture<OnChainFixture>
{
    private static readonly byte[] Device = Convert.FromHexString(KmsTestBed.DeviceId);

    private OnChainDeployment Chain => fixture.Chain;

    private Task<OnChainTestBed> BedAsync(EvmAddress appId, byte[] composeHash, string blockTag = "latest") =>
        OnChainTestBed.CreateAsync([Chain.Anvil.Endpoint], Chain.Kms.Address, appId, composeHash, blockTag);

    private async Task<byte[]> AllowedOsImageAsync()
    {
        var image = OnChainDeployment.RandomHash();
        await Chain.Kms.AddOsImageHashAsync(image);
        return image;
    }

    [Fact]
    public async Task Adding_a_compose_hash_releases_the_keys_and_removing_it_refuses_the_next_boot()
    {
        var image = await AllowedOsImageAsync();
        var composeHash = OnChainDeployment.RandomHash();
        var app = await Chain.DeployAppAsync(allowAnyDevice: false, initialDeviceId: Device);
        using var bed = await BedAsync(app.Address, composeHash);

        var before = await bed.GetAppKeyAsync(image);
        await app.AddComposeHashAsync(composeHash);
        var allowedAt = await Chain.Anvil.BlockNumberAsync();
        var allowed = await bed.GetAppKeyAsync(image);
        var again = await bed.GetAppKeyAsync(image);
        await app.RemoveComposeHashAsync(composeHash);
        var after = await bed.GetAppKeyAsync(image);

        Assert.Equal(KmsRefusalKind.Denied, before.Refusal?.Kind);
        Assert.Equal("Boot denied: Compose hash not allowed", before.Refusal?.Reason);
        Assert.True(allowed.IsSuccess, allowed.Refusal?.Reason);
        Assert.Equal(32, allowed.Value.DiskCryptKey.Length);
        Assert.Equal(OnChainDeployment.GatewayAppId, allowed.Value.GatewayAppId);
        Assert.Equal(image, allowed.Value.OsImageHash);
        Assert.Equal(allowed.Value.K256Key, again.Value!.K256Key);
        Assert.Equal(KmsRefusalKind.Denied, after.Refusal?.Kind);
        Assert.Equal("Boot denied: Compose hash not allowed", after.Refusal?.Reason);
        Assert.Null(after.Value);

        var appHex = Convert.ToHexStringLower(app.Address.ToArray());
        Assert.Contains(bed.Log.Entries, e => e.EventId == 61 && e.Message.StartsWith($"On-chain isAppAllowed at block {allowedAt}: allowed {appHex} (compose {Convert.ToHexStringLower(composeHash)}", StringComparison.Ordinal));
        Assert.EndsWith("): Compose hash not allowed", bed.Log.Last(62), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Os_image_not_allowed_is_refused_with_the_contract_reason()
    {
        var composeHash = OnChainDeployment.RandomHash();
        var app = await Chain.DeployAppAsync(allowAnyDevice: true, initialComposeHash: composeHash);
        using var bed = await BedAsync(app.Address, composeHash);
        var image = OnChainDeployment.RandomHash();

        var refused = await bed.GetAppKeyAsync(image);
        await Chain.Kms.AddOsImageHashAsync(image);
        var allowed = await bed.GetAppKeyAsync(image);
        await Chain.Kms.RemoveOsImageHashAsync(image);
        var revoked = await bed.GetAppKeyAsync(image);

        Assert.Equal("Boot denied: OS image is not allowed", refused.Refusal?.Reason);
        Assert.True(allowed.IsSuccess, allowed.Refusal?.Reason);
        Assert.Equal("Boot denied: OS image is not allowed", revoked.Refusal?.Reason);
    }

    [Fact]
    public async Task Unregistered_app_id_is_refused()
    {
        var image = await AllowedOsImageAsync();
        using var bed = await BedAsync(new EvmAddress(OnChainDeployment.RandomHash().AsSpan(0, 20)), OnChainDeployment.RandomHash());

        var result = await bed.GetAppKeyAsync(image);

        Assert.Equal("Boot denied: App not registered", result.Refusal?.Reason);
    }

    [Fact]
    public async Task Device_rules_with_and_without_allow_any_device()
    {
        var image = await AllowedOsImageAsync();
        var composeHash = OnChainDeployment.RandomHash();
        var otherDevice = OnChainDeployment.RandomHash();
        var app = await Chain.DeployAppAsync(allowAnyDevice: false, initialDeviceId: otherDevice, initialComposeHash: composeHash);
        using var bed = await BedAsync(app.Address, composeHash);
        Assert.Equal(Device, (await bed.CallerBootInfoAsync(image)).DeviceId);

        var otherOnly = await bed.GetAppKeyAsync(image);
        await app.AddDeviceAsync(Device);
        var listed = await bed.GetAppKeyAsync(image);
        await app.RemoveDeviceAsync(Device);
        var removed = await bed.GetAppKeyAsync(image);
        await app.SetAllowAnyDeviceAsync(true);
        var anyDevice = await bed.GetAppKeyAsync(image);
        await app.SetAllowAnyDeviceAsync(false);
        var anyDeviceOff = await bed.GetAppKeyAsync(image);

        Assert.Equal("Boot denied: Device not allowed", otherOnly.Refusal?.Reason);
        Assert.True(listed.IsSuccess, listed.Refusal?.Reason);
        Assert.Equal("Boot denied: Device not allowed", removed.Refusal?.Reason);
        Assert.True(anyDevice.IsSuccess, anyDevice.Refusal?.Reason);
        Assert.Equal("Boot denied: Device not allowed", anyDeviceOff.Refusal?.Reason);
    }

    [Fact]
    public async Task A_kms_not_on_chain_refuses_until_governance_adds_it_and_a_new_block_is_seen()
    {
        var image = await AllowedOsImageAsync();
        var composeHash = OnChainDeployment.RandomHash();
        var app = await Chain.DeployAppAsync(allowAnyDevice: true, initialComposeHash: composeHash);
        using var bed = await OnChainTestBed.CreateAsync([Chain.Anvil.Endpoint], Chain.Kms.Address, app.Address, composeHash, kmsCompose: "a kms build nobody registered");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var service = new Authorization.SelfAuthorizationService(bed.Self, bed.Policy, TimeSpan.FromSeconds(60), time, bed.Log);
        await service.StartAsync(CancellationToken.None);
        var refused = await bed.GetAppKeyAsync(image);
        var identity = await bed.Self.IdentifyAsync(CancellationToken.None);

        var allowed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bed.Self.Checked += (_, state) =>
        {
            if (state.Status == Authorization.SelfAuthorizationStatus.Allowed)
            {
                allowed.TrySetResult();
            }
        };
        await Chain.Kms.AddOsImageHashAsync(bed.KmsOsImage);
        await Chain.Kms.AddKmsAggregatedMrAsync(identity.Value!.BootInfo.MrAggregated);
        await Chain.Kms.AddKmsDeviceAsync(identity.Value.BootInfo.DeviceId);
        // any decision at a newer block (here the public GetMeta) makes the KMS check itself again; no timer involved
        await bed.Service.GetMetaAsync(CancellationToken.None);
        await allowed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var served = await bed.GetAppKeyAsync(image);
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(KmsRefusalKind.Denied, refused.Refusal?.Kind);
        Assert.Equal("KMS not allowed: OS image is not allowed", refused.Refusal?.Reason);
        Assert.True(served.IsSuccess, served.Refusal?.Reason);
    }

    [Fact]
    public async Task Kms_onboarding_is_decided_by_isKmsAllowed()
    {
        var image = await AllowedOsImageAsync();
        var app = await Chain.DeployAppAsync(allowAnyDevice: true);
        using var bed = await BedAsync(app.Address, OnChainDeployment.RandomHash());
        var peer = await bed.CallerBootInfoAsync(image);

        // the simulated platform gives every TD the same device, which the bed registered for the KMS itself
        var unknownMr = await bed.GetKmsKeyAsync(image);
        await Chain.Kms.AddKmsAggregatedMrAsync(peer.MrAggregated);
        await Chain.Kms.RemoveKmsDeviceAsync(peer.DeviceId);
        var unknownDevice = await bed.GetKmsKeyAsync(image);
        await Chain.Kms.AddKmsDeviceAsync(peer.DeviceId);
        var allowed = await bed.GetKmsKeyAsync(image);
        var otherImage = await bed.GetKmsKeyAsync(OnChainDeployment.RandomHash());
        await Chain.Kms.RemoveKmsAggregatedMrAsync(peer.MrAggregated);
        var revoked = await bed.GetKmsKeyAsync(image);

        Assert.Equal("Boot denied: Aggregated MR not allowed", unknownMr.Refusal?.Reason);
        Assert.Equal("Boot denied: KMS is not allowed to boot on this device", unknownDevice.Refusal?.Reason);
        Assert.True(allowed.IsSuccess, allowed.Refusal?.Reason);
        Assert.NotEmpty(Assert.Single(allowed.Value.Keys).K256Key);
        Assert.Equal("Boot denied: OS image is not allowed", otherImage.Refusal?.Reason);
        Assert.Equal("Boot denied: Aggregated MR not allowed", revoked.Refusal?.Reason);
        Assert.Contains(bed.Log.Entries, e => e.EventId == 61 && e.Message.StartsWith("On-chain isKmsAllowed at block ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Head_minus_n_does_not_see_a_change_until_it_is_n_blocks_deep()
    {
        var image = await AllowedOsImageAsync();
        var composeHash = OnChainDeployment.RandomHash();
        var app = await Chain.DeployAppAsync(allowAnyDevice: true, initialComposeHash: composeHash);
        using var bed = await BedAsync(app.Address, composeHash, blockTag: "head-3");

        // the app's registration is younger than 3 blocks: at head-3 the app does not exist yet
        var tooFresh = await bed.GetAppKeyAsync(image);
        await Chain.Anvil.MineAsync(3);
        var head = await Chain.Anvil.BlockNumberAsync();
        var settled = await bed.GetAppKeyAsync(image);
        await app.RemoveComposeHashAsync(composeHash);
        var removalNotYetVisible = await bed.GetAppKeyAsync(image);
        await Chain.Anvil.MineAsync(2);
        var stillNotVisible = await bed.GetAppKeyAsync(image);
        await Chain.Anvil.MineAsync(1);
        var visible = await bed.GetAppKeyAsync(image);

        Assert.False(tooFresh.IsSuccess);
        Assert.True(settled.IsSuccess, settled.Refusal?.Reason);
        Assert.Contains(bed.Log.Entries, e => e.EventId == 61 && e.Message.StartsWith($"On-chain isAppAllowed at block {head - 3}: allowed", StringComparison.Ordinal));
        Assert.True(removalNotYetVisible.IsSuccess, removalNotYetVisible.Refusal?.Reason);
        Assert.True(stillNotVisible.IsSuccess, stillNotVisible.Refusal?.Reason);
        Assert.Equal("Boot denied: Compose hash not allowed", visible.Refusal?.Reason);
        Assert.StartsWith($"On-chain isAppAllowed at block {head + 1}: refused", bed.Log.Last(62), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("safe", 32)]
    [InlineData("finalized", 64)]
    public async Task Safe_and_finalized_tags_are_read_at_the_block_the_node_names(string tag, int lag)
    {
        var image = await AllowedOsImageAsync();
        var composeHash = OnChainDeployment.RandomHash();
        var app = await Chain.DeployAppAsync(allowAnyDevice: true, initialComposeHash: composeHash);
        using var bed = await BedAsync(app.Address, composeHash, blockTag: tag);

        var notYet = await bed.GetAppKeyAsync(image);
        await Chain.Anvil.MineAsync(lag);
        var named = await Chain.Rpc.GetBlockAsync(Ethereum.Rpc.BlockTag.Parse(tag));
        var result = await bed.GetAppKeyAsync(image);

        // anvil names head-32 as safe and head-64 as finalized: the new app is visible only once that deep
        Assert.False(notYet.IsSuccess);
        Assert.Equal(await Chain.Anvil.BlockNumberAsync() - (ulong)lag, named!.Number);
        Assert.True(result.IsSuccess, result.Refusal?.Reason);
        Assert.StartsWith($"On-chain isAppAllowed at block {named.Number}: allowed", bed.Log.Last(61), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetMeta_reports_chain_contract_implementation_and_gateway()
    {
        using var bed = await BedAsync(Chain.Kms.Address, OnChainDeployment.RandomHash());

        var meta = await bed.Service.GetMetaAsync(CancellationToken.None);

        Assert.True(meta.IsSuccess, meta.Refusal?.Reason);
        Assert.False(meta.Value.IsDev);
        Assert.Equal(31337UL, meta.Value.ChainId);
        Assert.Equal(Chain.Kms.Address.ToString(), meta.Value.KmsContractAddress);
        Assert.Equal(Chain.AppImplementation.ToString(), meta.Value.AppAuthImplementation);
        Assert.Equal(OnChainDeployment.GatewayAppId, meta.Value.GatewayAppId);
    }
}
