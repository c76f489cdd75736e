using System.Text.Json;
using Dstack.Attestation.Simulation;
using Dstack.Kms.Authentication;
using Dstack.Kms.Policies;
using Dstack.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dstack.Kms.Tests;

public sealed class PolicyTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    internal static BootInfo SampleBootInfo(string tcbStatus = "UpToDate") => new()
    {
        MrAggregated = Enumerable.Repeat((byte)0xaa, 32).ToArray(),
        OsImageHash = KmsTestBed.OsImageHash,
        MrSystem = Enumerable.Repeat((byte)0xbb, 32).ToArray(),
        AppId = KmsTestBed.AppId,
        ComposeHash = KmsTestBed.ComposeHash,
        InstanceId = KmsTestBed.InstanceId,
        DeviceId = Convert.FromHexString(KmsTestBed.DeviceId),
        KeyProviderInfo = "{\"name\":\"kms\"}"u8.ToArray(),
        TcbStatus = tcbStatus,
        AdvisoryIds = ["INTEL-SA-00001"],
    };

    [Fact]
    public void Boot_info_json_has_the_webhook_keys_in_order_as_lowercase_hex()
    {
        var json = System.Text.Encoding.UTF8.GetString(SampleBootInfo().ToJson());

        using var document = JsonDocument.Parse(json);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(
            ["teeVariant", "attestationMode", "mrAggregated", "osImageHash", "mrSystem", "appId", "composeHash", "instanceId", "deviceId", "keyProviderInfo", "tcbStatus", "advisoryIds"],
            names);
        Assert.Equal("dstack-tdx", document.RootElement.GetProperty("teeVariant").GetString());
        Assert.Equal("dstack-tdx", document.RootElement.GetProperty("attestationMode").GetString()); // the name up to v0.5.11
        Assert.Equal(new string('a', 64), document.RootElement.GetProperty("mrAggregated").GetString());
        Assert.Equal(Convert.ToHexStringLower(KmsTestBed.AppId), document.RootElement.GetProperty("appId").GetString());
        Assert.Equal("7b226e616d65223a226b6d73227d", document.RootElement.GetProperty("keyProviderInfo").GetString());
        Assert.Equal("INTEL-SA-00001", document.RootElement.GetProperty("advisoryIds")[0].GetString());
    }

    [Fact]
    public async Task Policy_file_change_takes_effect_on_the_next_call_and_a_bad_file_keeps_the_previous_policy()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "policy.json");
        var policy = KmsTestBed.AllowingPolicy();
        policy["allowedAdvisoryIds"] = new[] { "INTEL-SA-00001" };
        File.WriteAllText(path, JsonSerializer.Serialize(policy));
        var filePolicy = new FilePolicy(path, NullLogger.Instance);

        var allowed = await filePolicy.IsAppAllowedAsync(SampleBootInfo(), None);
        policy["apps"] = new Dictionary<string, object>();
        File.WriteAllText(path, JsonSerializer.Serialize(policy));
        var removed = await filePolicy.IsAppAllowedAsync(SampleBootInfo(), None);
        File.WriteAllText(path, "{ \"osImages\": [ ");
        var afterGarbage = await filePolicy.IsAppAllowedAsync(SampleBootInfo(), None);
        File.WriteAllText(path, "{ \"osImagez\": [] }");
        var afterUnknownKey = await filePolicy.IsAppAllowedAsync(SampleBootInfo(), None);

        Assert.True(allowed.IsAllowed, allowed.Reason);
        Assert.Equal("gateway-1", allowed.GatewayAppId);
        Assert.Equal(PolicyDecision.Deny(PolicyReasons.AppNotRegistered, "gateway-1"), removed);
        Assert.Equal(PolicyReasons.AppNotRegistered, afterGarbage.Reason);
        Assert.Equal(PolicyReasons.AppNotRegistered, afterUnknownKey.Reason);
    }

    [Fact]
    public async Task Policy_file_checks_tcb_advisories_and_kms_measurements()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "policy.json");
        var policy = KmsTestBed.AllowingPolicy(kmsMrAggregated: [new string('a', 64)]);
        File.WriteAllText(path, JsonSerializer.Serialize(policy));
        var filePolicy = new FilePolicy(path, NullLogger.Instance);

        var outOfDate = await filePolicy.IsAppAllowedAsync(SampleBootInfo("OutOfDate"), None);
        var advisory = await filePolicy.IsAppAllowedAsync(SampleBootInfo(), None);
        var kms = await filePolicy.IsKmsAllowedAsync(SampleBootInfo() with { AdvisoryIds = [] }, None);
        var otherKms = await filePolicy.IsKmsAllowedAsync(SampleBootInfo() with { AdvisoryIds = [], MrAggregated = new byte[32] }, None);

        Assert.Equal(PolicyReasons.TcbStatusNotAllowed + ": OutOfDate (advisories INTEL-SA-00001)", outOfDate.Reason);
        Assert.Equal(PolicyReasons.AdvisoryNotAllowed + ": INTEL-SA-00001", advisory.Reason);
        Assert.True(kms.IsAllowed, kms.Reason);
        Assert.Equal(PolicyReasons.AggregatedMrNotAllowed, otherKms.Reason);
    }

    [Fact]
    public void Invalid_policy_file_at_start_is_an_error_naming_the_problem()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "policy.json");
        File.WriteAllText(path, "{ \"apps\": { \"not-hex\": {} } }");

        var error = Assert.Throws<PolicyBackendException>(() => new FilePolicy(path, NullLogger.Instance));

        Assert.Contains("not-hex", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dev_policy_allows_all_but_only_over_the_simulated_root()
    {
        using var dir = new TempDirectory();
        using var td = SimulatedTd.Open(dir.Path);
        using var simulated = KmsTrustAnchor.Simulated(td.Pki, TimeProvider.System);
        using var intel = KmsTrustAnchor.Intel();

        var dev = new DevPolicy(simulated, "any");
        var decision = await dev.IsAppAllowedAsync(SampleBootInfo("OutOfDate"), None);

        Assert.True(decision.IsAllowed);
        Assert.True((await dev.GetInfoAsync(None)).IsDev);
        Assert.Throws<InvalidOperationException>(() => new DevPolicy(intel, "any"));
    }
}
