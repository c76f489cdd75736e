using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Tests;

namespace Dstack.Attestation.Tests.EventLog;

public class AppInfoCalculatorTests
{
    private static TdMeasurements FixtureMeasurements() => new()
    {
        MrTd = TestVectors.FixtureTdReport("mr_td"),
        Rtmr0 = TestVectors.FixtureTdReport("rt_mr0"),
        Rtmr1 = TestVectors.FixtureTdReport("rt_mr1"),
        Rtmr2 = TestVectors.FixtureTdReport("rt_mr2"),
        Rtmr3 = TestVectors.FixtureTdReport("rt_mr3"),
        MrConfigId = TestVectors.FixtureTdReport("mr_config_id"),
        MrOwner = TestVectors.FixtureTdReport("mr_owner"),
        MrOwnerConfig = TestVectors.FixtureTdReport("mr_owner_config"),
    };

    private static string Derived(string key) => TestVectors.Fixture.GetProperty("derived").GetProperty(key).GetString()!;

    [Fact]
    public void Fixture_derived_values_match_test_vectors()
    {
        var attestation = AttestationCodec.Decode(SharedFiles.ReadFixture("simulator-attestation.bin"));
        var runtime = AppInfoCalculator.RuntimeEventsOf(attestation.EventLog);

        var info = AppInfoCalculator.Compute(FixtureMeasurements(), runtime);

        Assert.Equal(Derived("mr_aggregated"), Convert.ToHexStringLower(info.MrAggregated));
        Assert.Equal(Derived("mr_system"), Convert.ToHexStringLower(info.MrSystem));
        Assert.Equal(Derived("device_id_info"), Convert.ToHexStringLower(info.DeviceId));
        Assert.Equal(Derived("os_image_hash"), Convert.ToHexStringLower(AppInfoCalculator.OsImageHashFromConfig(attestation.Config)!));
        Assert.Equal("5bb4ff9a3837357f19dc176407a5709c62eb6c56", Convert.ToHexStringLower(info.AppId));
        Assert.Equal("c143116fef3940e7f776bfc0919c256232ae5338a6e948c96b711e0b2383483a", Convert.ToHexStringLower(info.ComposeHash));
        Assert.Equal("1691ed1b47506cad7d08834668691d88246f5b1f", Convert.ToHexStringLower(info.InstanceId));
        Assert.StartsWith("{\"name\":\"kms\"", System.Text.Encoding.UTF8.GetString(info.KeyProviderInfo), StringComparison.Ordinal);
        Assert.Equal(TestVectors.FixtureTdReport("rt_mr3"), AppInfoCalculator.ReplayRuntimeEvents(runtime, bootTime: false));
    }

    [Fact]
    public void Lookup_stops_at_system_ready_and_boot_time_mode_stops_after_boot_mr_done()
    {
        RuntimeEvent[] events =
        [
            new("app-id", [1]), new("boot-mr-done", []), new("key-provider", [7]), new("system-ready", []),
            new("app-id", [2]), new("compose-hash", [3]),
        ];
        var m = FixtureMeasurements() with { MrConfigId = new byte[48] };

        var runtime = AppInfoCalculator.Compute(m, events);
        var bootTime = AppInfoCalculator.Compute(m, events, bootTime: true);

        Assert.Equal([1], runtime.AppId);
        Assert.Empty(runtime.ComposeHash);
        Assert.Equal([7], runtime.KeyProviderInfo);
        Assert.Empty(bootTime.KeyProviderInfo);
        Assert.NotEqual(runtime.MrAggregated, bootTime.MrAggregated);
        var expectedBoot = System.Security.Cryptography.SHA256.HashData(
            [.. m.MrTd, .. m.Rtmr0, .. m.Rtmr1, .. m.Rtmr2, .. AppInfoCalculator.ReplayRuntimeEvents(events[..2], false)]);
        Assert.Equal(expectedBoot, bootTime.MrAggregated);
    }
}
