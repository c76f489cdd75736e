using System.Security.Cryptography;
using System.Text.Json;
using Dstack.Agent.Tests.Support;
using Dstack.Tests;

namespace Dstack.Agent.Tests.Methods;

public sealed class InfoMethodTests
{
    private static readonly string ComposeHash = Convert.ToHexStringLower(SHA256.HashData(SharedFiles.ReadFixture("simulator-app-compose.json")));

    [Fact]
    public async Task Info_from_files_only_derives_identity_like_the_boot_sequence()
    {
        await using var agent = await TestAgent.StartAsync();
        var response = await RawHttp.SendAsync(agent.DstackSocket, RawHttp.Request("GET", "/Info"));
        Assert.Equal(200, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        var root = json.RootElement;
        Assert.Equal(
            ["app_id", "instance_id", "app_cert", "tcb_info", "app_name", "device_id", "mr_aggregated", "os_image_hash",
             "key_provider_info", "compose_hash", "vm_config", "cloud_vendor", "cloud_product"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(ComposeHash, root.GetProperty("compose_hash").GetString());
        Assert.Equal(ComposeHash[..40], root.GetProperty("app_id").GetString());
        Assert.Equal("", root.GetProperty("instance_id").GetString());
        Assert.Equal("guest-agent", root.GetProperty("app_name").GetString());
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", root.GetProperty("device_id").GetString());
        Assert.Equal("64f0d1545cd510a8dfed7ad609d105b5d41f0cb2afcfdda8867ede00c88add7a", root.GetProperty("os_image_hash").GetString());
        Assert.Equal("{\"os_image_hash\":\"64f0d1545cd510a8dfed7ad609d105b5d41f0cb2afcfdda8867ede00c88add7a\",\"cpu_count\":1,\"memory_size\":2147483648}", root.GetProperty("vm_config").GetString());
    }

    [Fact]
    public async Task Info_prefers_measured_runtime_events_then_instance_info_and_reads_dmi()
    {
        await using var agent = TestAgent.Create();
        var appId = new string('a', 40);
        await File.WriteAllTextAsync(Path.Combine(agent.Directory, "instance_info"), $"{{\"app_id\":\"0x{appId}\",\"instance_id\":\"{new string('b', 40)}\"}}");
        string Line(string name, byte[] payload) => $"{{\"event\":\"{name}\",\"payload\":\"{Convert.ToBase64String(payload)}\"}}";
        await File.WriteAllLinesAsync(Path.Combine(agent.Directory, "runtime_events.log"),
        [
            Line("system-preparing", []),
            Line("instance-id", Enumerable.Repeat((byte)0xcc, 20).ToArray()),
            Line("key-provider", "{\"name\":\"kms\",\"id\":\"01\"}"u8.ToArray()),
            "",
            Line("system-ready", []),
            Line("compose-hash", new byte[32]),
        ]);
        Directory.CreateDirectory(Path.Combine(agent.Directory, "dmi"));
        await File.WriteAllTextAsync(Path.Combine(agent.Directory, "dmi", "sys_vendor"), "Google\n");
        await File.WriteAllTextAsync(Path.Combine(agent.Directory, "dmi", "product_name"), "Google Compute Engine\n");
        await agent.StartAsync();

        var response = await RawHttp.SendAsync(agent.TappdSocket, RawHttp.Request("POST", "/prpc/Tappd.Info", "application/json", "{}"u8.ToArray()));
        using var json = JsonDocument.Parse(response.Body);
        var root = json.RootElement;
        Assert.Equal(appId, root.GetProperty("app_id").GetString());
        Assert.Equal(new string('c', 40), root.GetProperty("instance_id").GetString());
        Assert.Equal("{\"name\":\"kms\",\"id\":\"01\"}", root.GetProperty("key_provider_info").GetString());
        Assert.Equal(ComposeHash, root.GetProperty("compose_hash").GetString()); // the post-system-ready event is ignored
        Assert.Equal("Google", root.GetProperty("cloud_vendor").GetString());
        Assert.Equal("Google Compute Engine", root.GetProperty("cloud_product").GetString());
    }

    [Fact]
    public async Task Missing_sys_config_is_a_400_error()
    {
        await using var agent = await TestAgent.StartAsync();
        File.Delete(Path.Combine(agent.Directory, "sys-config.json"));
        var response = await RawHttp.SendAsync(agent.DstackSocket, RawHttp.Request("GET", "/Info"));
        Assert.Equal(400, response.Status);
        Assert.Contains("sys-config.json: file not found", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_reports_the_api_level_and_revision()
    {
        await using var agent = await TestAgent.StartAsync();
        var response = await RawHttp.SendAsync(agent.DstackSocket, RawHttp.Request("GET", "/Version"));
        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal("0.5.11", json.RootElement.GetProperty("version").GetString());
        Assert.Matches("^(git:[0-9a-f]{20}|unknown)$", json.RootElement.GetProperty("rev").GetString());
    }
}
