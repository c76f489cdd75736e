using System.Text.Json;
using System.Text.Json.Nodes;
using Dstack.Agent.Cli;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Simulation;
using Dstack.Tests;

namespace Dstack.Agent.Tests.Cli;

/// <summary>The <c>verify-os-image</c> and <c>simulated-vm-config</c> verbs, on the real lite captures and on simulated TDs.</summary>
public sealed class OsImageVerbTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("verifier-tdx-lite-getquote.json")]
    [InlineData("verifier-tdx-lite-attestation.json")]
    public async Task A_real_lite_capture_verifies_with_the_expected_registers_of_the_spec(string fixture)
    {
        var (exit, json, _) = await VerifyAsync(SharedFiles.Fixture(fixture));

        Assert.Equal(0, exit);
        Assert.True(json.GetProperty("verified").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("reason").ValueKind);
        Assert.Equal("lite", json.GetProperty("mode").GetString());
        Assert.Equal("e6f5cfec20c02e7b97baa213d0f718020b55e040172d90ccbcb946d56c8b09db", json.GetProperty("os_image_hash").GetString());
        var expected = json.GetProperty("expected");
        Assert.Equal("fd685522ce791dfef67414614eb07d03fc07a32c5a66f36288b329dab92b724b1564c73d436ffb9ea84488c51ac5a1c5", expected.GetProperty("mrtd").GetString());
        Assert.Equal("f8438db36b96f85d8752ff7f24a89ec05c79ec9eda2ba732c897fb970ca429365b7471b1c054cb84f17b1c2b23ba6640", expected.GetProperty("rtmr0").GetString());
        Assert.Equal("2023546e7f3b9d1228e274f70c44d481162540f8452544520a796a52f06879709b81a824a26792a7822327504b0d2aee", expected.GetProperty("rtmr1").GetString());
        Assert.Equal("4c1b739ed451a637b0f82642e48a5ea83925d23633c72e7385c8e9aca4175e133ed1625b7d92eb39edf509c27ff392dc", expected.GetProperty("rtmr2").GetString());
        Assert.Equal(expected.GetRawText(), json.GetProperty("actual").GetRawText());
    }

    [Fact]
    public async Task Another_qemu_version_in_the_vm_config_is_not_verified_and_exits_1_with_the_reason()
    {
        var capture = JsonNode.Parse(await File.ReadAllTextAsync(SharedFiles.Fixture("verifier-tdx-lite-getquote.json")))!.AsObject();
        var vmConfig = JsonNode.Parse(capture["vm_config"]!.GetValue<string>())!.AsObject();
        vmConfig["qemu_version"] = "9.1.0";
        var path = Path.Combine(_dir.Path, "vm_config.json");
        await File.WriteAllTextAsync(path, vmConfig.ToJsonString());

        var (exit, json, _) = await VerifyAsync(SharedFiles.Fixture("verifier-tdx-lite-getquote.json"), path);

        Assert.Equal(1, exit);
        Assert.False(json.GetProperty("verified").GetBoolean());
        Assert.StartsWith("MRs do not match: MRTD mismatch: expected=a6f2ac94", json.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_simulated_td_verifies_against_its_own_vm_config_and_not_against_another_images()
    {
        using var td = SimulatedTd.Open(Path.Combine(_dir.Path, "td"));
        var quote = await td.Device.GetQuoteAsync(new byte[64], CancellationToken.None);
        var events = await td.ReadEventLogAsync(CancellationToken.None);
        var own = await WriteGetQuoteAsync("own.json", quote, events, td.VmConfig);
        var other = await WriteGetQuoteAsync("other.json", quote, events, SimulatedOsImage.Create("dstack-sim-other").VmConfig(2UL << 30, "8.2.2"));

        var (ownExit, ownJson, _) = await VerifyAsync(own);
        var (otherExit, otherJson, _) = await VerifyAsync(other);

        Assert.Equal(0, ownExit);
        Assert.Equal(SimulatedOsImage.Default.OsImageHashHex, ownJson.GetProperty("os_image_hash").GetString());
        Assert.Equal(1, otherExit);
        Assert.StartsWith("MRs do not match: MRTD mismatch: ", otherJson.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_input_without_a_vm_config_is_a_usage_error_naming_the_option()
    {
        var path = Path.Combine(_dir.Path, "no-config.json");
        var capture = JsonNode.Parse(await File.ReadAllTextAsync(SharedFiles.Fixture("verifier-tdx-lite-getquote.json")))!.AsObject();
        capture.Remove("vm_config");
        await File.WriteAllTextAsync(path, capture.ToJsonString());

        var error = new StringWriter();
        var exit = await VerifyOsImageCommand.RunAsync(path, null, Stream.Null, new StringWriter(), error, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains("carries no vm_config (give --vm-config FILE)", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Simulated_vm_config_prints_the_tds_config_and_chooses_the_boot_image_of_a_new_td()
    {
        var directory = Path.Combine(_dir.Path, "new-td");
        var output = new StringWriter();

        var exit = SimulatedVmConfigCommand.Run(directory, null, 4UL << 30, "9.1.0", output, new StringWriter());

        Assert.Equal(0, exit);
        Assert.Equal(SimulatedOsImage.Default.VmConfig(4UL << 30, "9.1.0"), output.ToString().Trim());
        using var td = SimulatedTd.Open(directory);
        Assert.Equal(new SimulatedBootImage(SimulatedOsImage.DefaultName, 4UL << 30, "9.1.0"), td.BootImage);
    }

    [Fact]
    public async Task Simulated_vm_config_refuses_to_change_the_image_of_a_td_that_booted_and_an_unbootable_memory_size()
    {
        var booted = Path.Combine(_dir.Path, "booted");
        using (var td = SimulatedTd.Open(booted))
        {
            await td.Device.ReadRegistersAsync(CancellationToken.None);
        }

        var error = new StringWriter();
        Assert.Equal(2, SimulatedVmConfigCommand.Run(booted, "dstack-sim-other", null, null, new StringWriter(), error));
        Assert.Contains("already booted dstack-sim-0.6.0 with 2147483648 bytes on QEMU 8.2.2; it cannot boot dstack-sim-other", error.ToString(), StringComparison.Ordinal);

        var gate = new StringWriter();
        Assert.Equal(2, SimulatedVmConfigCommand.Run(Path.Combine(_dir.Path, "fresh"), null, 0x90000000, null, new StringWriter(), gate));
        Assert.Contains("2415919104", gate.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "fresh", SimulatedBootImage.FileName)));
    }

    private static async Task<(int Exit, JsonElement Json, string Error)> VerifyAsync(string path, string? vmConfigPath = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await VerifyOsImageCommand.RunAsync(path, vmConfigPath, Stream.Null, output, error, CancellationToken.None);
        Assert.True(exit is 0 or 1, error.ToString());
        return (exit, JsonDocument.Parse(output.ToString()).RootElement.Clone(), error.ToString());
    }

    private async Task<string> WriteGetQuoteAsync(string name, byte[] quote, IReadOnlyList<TdxEvent> events, string vmConfig)
    {
        var path = Path.Combine(_dir.Path, name);
        var json = new JsonObject
        {
            ["quote"] = Convert.ToHexStringLower(quote),
            ["event_log"] = EventLogJson.Serialize(events),
            ["vm_config"] = vmConfig,
        };
        await File.WriteAllTextAsync(path, json.ToJsonString());
        return path;
    }
}
