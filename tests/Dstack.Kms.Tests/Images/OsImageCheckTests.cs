using System.Text.Json.Nodes;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Simulation;
using Dstack.Kms.Authentication;
using Dstack.Kms.Images;
using Dstack.Kms.Tests.OnChain;
using Dstack.Tests;

namespace Dstack.Kms.Tests.Images;

/// <summary>
/// The KMS's OS-image step on callers whose registers come from real simulated TDs: a lite vm_config is checked with the
/// measurement it carries, any other one with the bundle downloaded from a real HTTP server, and every refusal says why.
/// </summary>
public sealed class OsImageCheckTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly CapturingLogger _log = new();

    [Fact]
    public async Task A_caller_whose_registers_are_those_of_its_lite_image_passes_and_the_decision_is_logged()
    {
        var caller = await CallerAsync(SimulatedBootImage.Default);

        var refusal = await Check(new ImageOptions()).CheckAsync("GetAppKey", caller, CancellationToken.None);

        Assert.Null(refusal);
        Assert.Equal($"GetAppKey: OS image {SimulatedOsImage.Default.OsImageHashHex} verified (lite): MRTD and RTMR0-2 are the image's", _log.Last(90));
    }

    [Fact]
    public async Task A_caller_claiming_another_image_than_it_booted_is_refused_with_the_first_register_that_differs()
    {
        var other = SimulatedOsImage.Create("dstack-sim-other");
        var caller = await CallerAsync(SimulatedBootImage.Default, other.VmConfig(2UL << 30, "8.2.2"));

        var refusal = await Check(new ImageOptions()).CheckAsync("GetAppKey", caller, CancellationToken.None);

        Assert.NotNull(refusal);
        Assert.StartsWith("Failed to verify os image hash: MRs do not match: MRTD mismatch: expected=" + Convert.ToHexStringLower(SimulatedOsImage.Digest("mrtd-two", other.Name)), refusal, StringComparison.Ordinal);
        Assert.Contains($"OS image {other.OsImageHashHex} not verified: MRs do not match", _log.Last(91), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_caller_booted_with_more_memory_than_its_config_says_is_refused_on_rtmr0()
    {
        var caller = await CallerAsync(SimulatedBootImage.Default with { MemorySize = 4UL << 30 }, SimulatedBootImage.Default.VmConfig);

        var refusal = await Check(new ImageOptions()).CheckAsync("GetAppKey", caller, CancellationToken.None);

        Assert.StartsWith("Failed to verify os image hash: MRs do not match: RTMR0 mismatch: expected=b571bf66", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_that_is_not_json_is_refused_with_the_decode_error()
    {
        var caller = await CallerAsync(SimulatedBootImage.Default, "not json");

        var refusal = await Check(new ImageOptions()).CheckAsync("SignCert", caller, CancellationToken.None);

        Assert.StartsWith("Failed to verify os image hash: Failed to decode VM config: Failed to parse vm config: ", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_legacy_config_is_checked_with_the_downloaded_bundle_and_a_second_check_uses_the_cache()
    {
        await using var server = await BundleServer.StartAsync();
        var image = SimulatedOsImage.Default;
        server.Serve(image.OsImageHash, Archive(image));
        var check = Check(new ImageOptions { DownloadUrl = server.UrlTemplate, CacheDirectory = Path.Combine(_directory.Path, "cache") });
        var caller = await CallerAsync(SimulatedBootImage.Default, Legacy(SimulatedBootImage.Default.VmConfig));

        Assert.Null(await check.CheckAsync("GetAppKey", caller, CancellationToken.None));
        Assert.Null(await check.CheckAsync("GetAppKey", caller, CancellationToken.None));

        Assert.Equal(1, server.Requests(image.OsImageHash));
        Assert.Equal($"GetAppKey: OS image {image.OsImageHashHex} verified (bundle): MRTD and RTMR0-2 are the image's", _log.Last(90));
    }

    [Fact]
    public async Task A_bundle_that_cannot_be_downloaded_is_a_refusal_naming_the_url()
    {
        await using var server = await BundleServer.StartAsync();
        var check = Check(new ImageOptions { DownloadUrl = server.UrlTemplate, CacheDirectory = Path.Combine(_directory.Path, "cache") });
        var caller = await CallerAsync(SimulatedBootImage.Default, Legacy(SimulatedBootImage.Default.VmConfig));

        var refusal = await check.CheckAsync("GetAppKey", caller, CancellationToken.None);

        var url = server.BaseUrl + BundleServer.PathFor(SimulatedOsImage.Default.OsImageHash);
        Assert.Equal($"Failed to verify os image hash: Failed to download image: HTTP status 404, url: {url}", refusal);
    }

    [Fact]
    public async Task A_bundle_whose_checksum_file_is_not_the_claimed_hash_is_refused()
    {
        await using var server = await BundleServer.StartAsync();
        var image = SimulatedOsImage.Default;
        // the server answers the default image's URL with another image's bundle
        server.Serve(image.OsImageHash, Archive(SimulatedOsImage.Create("dstack-sim-other")));
        var check = Check(new ImageOptions { DownloadUrl = server.UrlTemplate, CacheDirectory = Path.Combine(_directory.Path, "cache") });
        var caller = await CallerAsync(SimulatedBootImage.Default, Legacy(SimulatedBootImage.Default.VmConfig));

        var refusal = await check.CheckAsync("GetAppKey", caller, CancellationToken.None);

        Assert.Equal("Failed to verify os image hash: os_image_hash does not match sha256(sha256sum.txt)", refusal);
    }

    [Fact]
    public async Task Without_a_cache_directory_only_lite_configs_can_be_verified()
    {
        var caller = await CallerAsync(SimulatedBootImage.Default, Legacy(SimulatedBootImage.Default.VmConfig));

        var refusal = await Check(new ImageOptions()).CheckAsync("GetAppKey", caller, CancellationToken.None);

        Assert.Equal(
            "Failed to verify os image hash: the vm_config is not a lite attestation, so the OS image bundle must be downloaded, but Image:CacheDirectory is not configured",
            refusal);
    }

    [Fact]
    public async Task With_verification_off_every_decision_says_the_image_is_an_unverified_claim()
    {
        var other = SimulatedOsImage.Create("dstack-sim-other");
        var caller = await CallerAsync(SimulatedBootImage.Default, other.VmConfig(2UL << 30, "8.2.2"));

        var refusal = await Check(new ImageOptions { Verify = false }).CheckAsync("GetAppKey", caller, CancellationToken.None);

        Assert.Null(refusal);
        Assert.Equal($"GetAppKey: OS image {other.OsImageHashHex} is an unverified claim of the caller (Image:Verify is false)", _log.Last(92));
    }

    public void Dispose() => _directory.Dispose();

    private OsImageCheck Check(ImageOptions options)
    {
        var store = string.IsNullOrEmpty(options.CacheDirectory) ? null : new OsImageBundleStore(options, OsImageBundleStore.CreateHttpClient(), TimeProvider.System, _log);
        return new OsImageCheck(options, store, _log);
    }

    /// <summary>A verified caller on a TD booted with <paramref name="boot"/>, claiming <paramref name="vmConfig"/> (default: its own).</summary>
    private async Task<AuthenticatedCaller> CallerAsync(SimulatedBootImage boot, string? vmConfig = null)
    {
        var directory = Path.Combine(_directory.Path, "td-" + Guid.NewGuid().ToString("N"));
        boot.Write(directory);
        using var td = SimulatedTd.Open(directory);
        var (mrTd, rtmrs) = await td.Device.ReadRegistersAsync(CancellationToken.None);
        var events = await td.ReadEventLogAsync(CancellationToken.None);
        var config = vmConfig ?? td.VmConfig;
        var measurements = new TdMeasurements { MrTd = mrTd, Rtmr0 = rtmrs[0], Rtmr1 = rtmrs[1], Rtmr2 = rtmrs[2], Rtmr3 = rtmrs[3] };
        var bootInfo = new BootInfo
        {
            MrAggregated = new byte[32],
            OsImageHash = AppInfoCalculator.OsImageHashFromConfig(config) ?? [],
            MrSystem = new byte[32],
            AppId = new byte[20],
            ComposeHash = new byte[32],
            InstanceId = [],
            DeviceId = new byte[32],
            KeyProviderInfo = [],
            TcbStatus = "UpToDate",
            AdvisoryIds = [],
        };
        var attestation = new VersionedAttestation { Quote = [], EventLog = events, RuntimeEvents = [], ReportData = new byte[64], Config = config };
        return new AuthenticatedCaller(bootInfo, attestation, [], measurements, [], config);
    }

    private static byte[] Archive(SimulatedOsImage image)
    {
        using var body = new MemoryStream();
        OsImageBundleArchive.Write(body, [(OsImageMaterial.MeasurementFileName, image.Measurement)]);
        return body.ToArray();
    }

    /// <summary>The same config without the lite variant and its measurement: the KMS must fetch the bundle.</summary>
    private static string Legacy(string liteConfig)
    {
        var json = JsonNode.Parse(liteConfig)!.AsObject();
        json.Remove("tdx_attestation_variant");
        json.Remove("tdx_measurement");
        return json.ToJsonString();
    }
}
