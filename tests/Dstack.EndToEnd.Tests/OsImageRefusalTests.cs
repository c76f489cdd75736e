using System.Text.Json.Nodes;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Simulation;
using Dstack.EndToEnd.Tests.Support;
using Dstack.Rpc;
using Dstack.Rpc.Kms;
using Dstack.Tests;

namespace Dstack.EndToEnd.Tests;

/// <summary>
/// The refusal matrix of the OS-image check against a real <c>dstack-kms</c> process: callers are simulated TDs booted
/// from simulated OS-image bundles (their MRTD and RTMR0–2 are the bundle's for their memory size and QEMU version),
/// presenting RA-TLS client certificates with the vm_config under test. Each row is refused with its own reason and
/// gets no keys; the two controls are served (lite, and a legacy config through the downloaded bundle).
/// </summary>
public sealed class OsImageRefusalTests(OsImageRefusalFixture fixture) : IClassFixture<OsImageRefusalFixture>
{
    private const ulong TwoGiB = 2UL << 30;

    [Fact]
    public async Task A_lite_vm_on_the_image_it_claims_gets_its_keys()
    {
        var keys = await GetAppKeyAsync(SimulatedBootImage.Default, SimulatedBootImage.Default.VmConfig);

        Assert.Equal(E2eApp.GatewayAppId, keys.GatewayAppId);
        Assert.Equal(SimulatedOsImage.Default.OsImageHash, keys.OsImageHash.ToByteArray());
        Assert.Contains($"GetAppKey: OS image {SimulatedOsImage.Default.OsImageHashHex} verified (lite)", fixture.Kms.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_legacy_vm_is_checked_with_the_bundle_downloaded_by_its_hash_and_gets_its_keys()
    {
        var keys = await GetAppKeyAsync(SimulatedBootImage.Default, Legacy(SimulatedBootImage.Default.VmConfig));

        Assert.Equal(SimulatedOsImage.Default.OsImageHash, keys.OsImageHash.ToByteArray());
        Assert.Contains($"GetAppKey: OS image {SimulatedOsImage.Default.OsImageHashHex} verified (bundle)", fixture.Kms.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(fixture.CacheDirectory, "images", SimulatedOsImage.Default.OsImageHashHex, OsImageMaterial.MeasurementFileName)));
    }

    [Fact]
    public async Task An_os_image_that_is_not_in_the_allow_list_is_refused_by_the_policy()
    {
        var unlisted = OsImageRefusalFixture.Unlisted;
        var boot = new SimulatedBootImage(unlisted.Name, TwoGiB, "8.2.2");

        var error = await RefusedAsync(boot, boot.VmConfig);

        Assert.Equal("Boot denied: OS image is not allowed", error.Detail);
    }

    [Fact]
    public async Task Registers_of_another_image_than_the_one_claimed_are_refused_at_mrtd()
    {
        // booted the (allowed) other image, claims the default one: the claim is self-consistent, the registers are not its
        var boot = new SimulatedBootImage(OsImageRefusalFixture.Other.Name, TwoGiB, "8.2.2");

        var error = await RefusedAsync(boot, SimulatedBootImage.Default.VmConfig);

        Assert.Equal(
            "Boot denied: Failed to verify os image hash: MRs do not match: MRTD mismatch: expected=" + Hex(SimulatedOsImage.Digest("mrtd-two", SimulatedOsImage.DefaultName))
            + ", actual=" + Hex(SimulatedOsImage.Digest("mrtd-two", OsImageRefusalFixture.Other.Name)),
            error.Detail);
    }

    [Fact]
    public async Task A_claimed_image_whose_checksum_file_was_altered_is_refused_at_the_binding()
    {
        var config = Tamper(SimulatedBootImage.Default.VmConfig, "checksum_file");

        var error = await RefusedAsync(SimulatedBootImage.Default, config);

        Assert.StartsWith(
            "Boot denied: Failed to verify os image hash: tdx lite measurement material does not match os_image_hash: os_image_hash mismatch: expected sha256(sha256sum.txt)="
            + SimulatedOsImage.Default.OsImageHashHex + ", actual=", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_claimed_image_whose_measurement_was_altered_is_refused_at_its_checksum_entry()
    {
        var config = Tamper(SimulatedBootImage.Default.VmConfig, "measurement");

        var error = await RefusedAsync(SimulatedBootImage.Default, config);

        Assert.StartsWith(
            "Boot denied: Failed to verify os image hash: tdx lite measurement material does not match os_image_hash: measurement.tdx.cbor hash mismatch: sha256sum.txt=",
            error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_memory_size_other_than_the_claimed_one_changes_rtmr0_and_is_refused()
    {
        var boot = SimulatedBootImage.Default with { MemorySize = 4UL << 30 };

        var error = await RefusedAsync(boot, SimulatedBootImage.Default.VmConfig);

        Assert.StartsWith("Boot denied: Failed to verify os image hash: MRs do not match: RTMR0 mismatch: expected=b571bf666713027f", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_qemu_version_other_than_the_claimed_one_changes_the_mrtd_order_and_is_refused()
    {
        var boot = SimulatedBootImage.Default with { QemuVersion = "9.1.0" };

        var error = await RefusedAsync(boot, SimulatedBootImage.Default.VmConfig);

        Assert.Equal(
            "Boot denied: Failed to verify os image hash: MRs do not match: MRTD mismatch: expected=" + Hex(SimulatedOsImage.Digest("mrtd-two", SimulatedOsImage.DefaultName))
            + ", actual=" + Hex(SimulatedOsImage.Digest("mrtd-single", SimulatedOsImage.DefaultName)),
            error.Detail);
    }

    [Fact]
    public async Task An_image_bundle_that_cannot_be_downloaded_is_refused_naming_the_url()
    {
        var boot = new SimulatedBootImage(OsImageRefusalFixture.Missing.Name, TwoGiB, "8.2.2");

        var error = await RefusedAsync(boot, Legacy(boot.VmConfig));

        Assert.Equal(
            "Boot denied: Failed to verify os image hash: Failed to download image: HTTP status 404, url: "
            + fixture.Images.UrlTemplate.Replace("{OS_IMAGE_HASH}", OsImageRefusalFixture.Missing.OsImageHashHex, StringComparison.Ordinal),
            error.Detail);
    }

    [Fact]
    public async Task An_image_bundle_that_fails_its_checksum_is_refused_and_not_cached()
    {
        var boot = new SimulatedBootImage(OsImageRefusalFixture.Corrupt.Name, TwoGiB, "8.2.2");

        var error = await RefusedAsync(boot, Legacy(boot.VmConfig));

        Assert.StartsWith("Boot denied: Failed to verify os image hash: Checksum verification failed", error.Detail, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(fixture.CacheDirectory, "images", OsImageRefusalFixture.Corrupt.OsImageHashHex)));
    }

    [Fact]
    public async Task Runtime_events_that_do_not_replay_to_rtmr3_are_refused_before_any_policy_or_image_check()
    {
        // RTMR3 was extended with a digest the log does not hold (an event hidden from the KMS)
        var error = await Assert.ThrowsAsync<RpcException>(() => GetAppKeyAsync(
            SimulatedBootImage.Default,
            SimulatedBootImage.Default.VmConfig,
            td => td.Device.ExtendRtmrAsync(3, System.Security.Cryptography.SHA384.HashData("unlogged"u8), CancellationToken.None)));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.StartsWith("RTMR3 mismatch: the runtime events replay to ", error.Detail, StringComparison.Ordinal);
    }

    private async Task<RpcException> RefusedAsync(SimulatedBootImage boot, string vmConfig)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => GetAppKeyAsync(boot, vmConfig));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("GetAppKey refused (Denied): " + error.Detail, fixture.Kms.Output, StringComparison.Ordinal);
        return error;
    }

    /// <summary>GetAppKey from a fresh TD of the platform booted with <paramref name="boot"/> as the E2E app, claiming <paramref name="vmConfig"/>.</summary>
    private async Task<AppKeyResponse> GetAppKeyAsync(SimulatedBootImage boot, string vmConfig, Func<SimulatedTd, Task>? tamper = null)
    {
        var directory = fixture.Platform.NewTdDirectory(Path.Combine(fixture.Platform.Root, "caller-" + Guid.NewGuid().ToString("N")));
        boot.Write(directory);
        using var td = SimulatedTd.Open(directory);
        await td.Events.EmitAsync("system-preparing", Array.Empty<byte>(), CancellationToken.None);
        await td.Events.EmitAsync("app-id", E2eApp.AppIdOf(E2eApp.Compose), CancellationToken.None);
        await td.Events.EmitAsync("compose-hash", E2eApp.ComposeHashOf(E2eApp.Compose), CancellationToken.None);
        await td.Events.EmitAsync("instance-id", Enumerable.Repeat((byte)0x33, 20).ToArray(), CancellationToken.None);
        await td.Events.EmitAsync(AppInfoCalculator.BootMrDone, Array.Empty<byte>(), CancellationToken.None);
        if (tamper is not null)
        {
            await tamper(td);
        }

        GetTempCaCertResponse temp;
        using (var plain = KmsNode.Connect(fixture.Kms))
        {
            temp = await plain.Client.GetTempCaCertAsync(KmsConnection.Deadline());
        }

        var certificate = await RaTlsCaller.CreateCertificateAsync(td, vmConfig, tempCa: (temp.TempCaCert, temp.TempCaKey));
        using var connection = KmsNode.Connect(fixture.Kms, certificate);
        return await connection.Client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = vmConfig }, KmsConnection.Deadline());
    }

    /// <summary>The same config without the lite variant and its measurement: the KMS must fetch the bundle by hash.</summary>
    private static string Legacy(string liteConfig)
    {
        var json = JsonNode.Parse(liteConfig)!.AsObject();
        json.Remove("tdx_attestation_variant");
        json.Remove("tdx_measurement");
        return json.ToJsonString();
    }

    /// <summary>The config with one byte of <c>tdx_measurement.&lt;field&gt;</c> changed.</summary>
    private static string Tamper(string liteConfig, string field)
    {
        var json = JsonNode.Parse(liteConfig)!.AsObject();
        var measurement = json["tdx_measurement"]!.AsObject();
        var bytes = Convert.FromBase64String(measurement[field]!.GetValue<string>());
        bytes[0] ^= 0x01;
        measurement[field] = Convert.ToBase64String(bytes);
        return json.ToJsonString();
    }

    private static string Hex(byte[] value) => Convert.ToHexStringLower(value);
}
