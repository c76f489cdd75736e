using System.Security.Cryptography;
using System.Text.Json;
using Dstack.Kms.Cli;
using Dstack.Kms.Hosting;
using Dstack.Tests;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Tests.Grpc;

/// <summary><c>dstack-kms identity</c> and <c>dstack-kms measure-simulated-td</c> over real configuration files and simulated TDs.</summary>
public sealed class IdentityCommandTests
{
    [Fact]
    public async Task Identity_prints_the_boot_info_self_authorization_asks_about()
    {
        await using var bed = await GrpcKmsBed.CreateAsync();
        var mr = await bed.PrepareKmsTdAsync("i");
        var config = bed.WriteConfig("i", KmsTestBed.AllowingPolicy(), TcpPorts.GetFree());
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await IdentityCommand.RunAsync(new KmsHostSettings { ConfigPath = config, ConfigureLogging = l => l.ClearProviders() }, output, error, CancellationToken.None);

        Assert.True(code == 0, error.ToString());
        using var json = JsonDocument.Parse(output.ToString());
        Assert.Equal(mr, json.RootElement.GetProperty("mrAggregated").GetString());
        Assert.Equal(Convert.ToHexStringLower(KmsTestBed.KmsAppId), json.RootElement.GetProperty("appId").GetString());
        Assert.Equal(Convert.ToHexStringLower(KmsTestBed.OsImageHash), json.RootElement.GetProperty("osImageHash").GetString());
        Assert.Equal(KmsTestBed.DeviceId, json.RootElement.GetProperty("deviceId").GetString());
        Assert.Contains("\n  \"mrAggregated\": ", output.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_simulated_td_is_measured_once_as_the_kms_app_and_then_has_an_identity()
    {
        await using var bed = await GrpcKmsBed.CreateAsync();
        using (bed.OpenTd("m-td"))
        {
        }

        var config = bed.WriteConfig("m", KmsTestBed.AllowingPolicy(), TcpPorts.GetFree(), allowSelf: false);
        var settings = new KmsHostSettings { ConfigPath = config, ConfigureLogging = l => l.ClearProviders() };
        var unmeasured = new StringWriter();

        var before = await IdentityCommand.RunAsync(settings, new StringWriter(), unmeasured, CancellationToken.None);
        var first = new StringWriter();
        var measured = await MeasureSimulatedTdCommand.RunAsync(config, "my kms", first, new StringWriter(), CancellationToken.None);
        var output = new StringWriter();
        var after = await IdentityCommand.RunAsync(settings, output, new StringWriter(), CancellationToken.None);
        var second = new StringWriter();
        await MeasureSimulatedTdCommand.RunAsync(config, "my kms", second, new StringWriter(), CancellationToken.None);
        var again = new StringWriter();
        await IdentityCommand.RunAsync(settings, again, new StringWriter(), CancellationToken.None);

        Assert.Equal(1, before);
        Assert.Contains("this instance has no verifiable identity: its own attestation does not verify: app_id must be 20 bytes", unmeasured.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, measured);
        Assert.StartsWith("measured ", first.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, after);
        using var json = JsonDocument.Parse(output.ToString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("my kms"u8)[..20]), json.RootElement.GetProperty("appId").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("my kms"u8)), json.RootElement.GetProperty("composeHash").GetString());
        Assert.Contains("is measured already", second.ToString(), StringComparison.Ordinal);
        Assert.Equal(output.ToString(), again.ToString());
    }
}
