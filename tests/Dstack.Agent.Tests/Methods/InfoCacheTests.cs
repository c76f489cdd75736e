using System.Text.Json;
using Dstack.Agent.Tests.Support;
using Dstack.Attestation.Simulation;

namespace Dstack.Agent.Tests.Methods;

/// <summary>Info's answer is kept between calls; these show it never outlives what it was built from.</summary>
public sealed class InfoCacheTests
{
    [Fact]
    public async Task Info_changes_after_EmitEvent_and_is_identical_between_changes()
    {
        await using var agent = await TestAgent.StartAsync();
        var first = await InfoAsync(agent);
        var again = await InfoAsync(agent);
        Assert.Equal(first.Text, again.Text);

        var emitted = await RawHttp.PostJsonAsync(agent.DstackSocket, "/EmitEvent", "{\"event\":\"cache-test\",\"payload\":\"01\"}");
        Assert.Equal(200, emitted.Status);
        var after = await InfoAsync(agent);
        Assert.NotEqual(Rtmr3(first), Rtmr3(after));
        Assert.NotEqual(first.Root.GetProperty("mr_aggregated").GetString(), after.Root.GetProperty("mr_aggregated").GetString());
        Assert.Contains("cache-test", TcbInfo(after).GetProperty("event_log").EnumerateArray().Select(e => e.GetProperty("event").GetString()));
    }

    [Fact]
    public async Task Info_follows_a_rewritten_app_compose_of_the_same_length()
    {
        await using var agent = await TestAgent.StartAsync();
        var before = await InfoAsync(agent);
        Assert.Equal("guest-agent", before.Root.GetProperty("app_name").GetString());
        var path = Path.Combine(agent.Directory, "app-compose.json");
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text.Replace("\"guest-agent\"", "\"guest-agenX\"", StringComparison.Ordinal));

        var after = await InfoAsync(agent);
        Assert.Equal("guest-agenX", after.Root.GetProperty("app_name").GetString());
        Assert.NotEqual(before.Root.GetProperty("compose_hash").GetString(), after.Root.GetProperty("compose_hash").GetString());
    }

    [Fact]
    public async Task Info_is_not_served_from_its_cache_once_RTMR3_moved_without_a_logged_event()
    {
        await using var agent = await TestAgent.StartAsync();
        Assert.Equal(200, (await RawHttp.SendAsync(agent.DstackSocket, RawHttp.Request("GET", "/Info"))).Status);

        // another handle on the same simulated TD extends RTMR3 behind the agent's back: no log line
        using (var td = SimulatedTd.Open(agent.Directory))
        {
            await td.Device.ExtendRtmrAsync(3, new byte[48], CancellationToken.None);
        }

        var response = await RawHttp.SendAsync(agent.DstackSocket, RawHttp.Request("GET", "/Info"));
        Assert.Equal(400, response.Status);
        Assert.Contains("does not replay to the quoted RTMR3", response.BodyText, StringComparison.Ordinal);
    }

    private static async Task<(string Text, JsonElement Root)> InfoAsync(TestAgent agent)
    {
        var response = await RawHttp.SendAsync(agent.DstackSocket, RawHttp.Request("GET", "/Info"));
        Assert.Equal(200, response.Status);
        return (response.BodyText, JsonDocument.Parse(response.Body).RootElement.Clone());
    }

    private static JsonElement TcbInfo((string Text, JsonElement Root) info) =>
        JsonDocument.Parse(info.Root.GetProperty("tcb_info").GetString()!).RootElement.Clone();

    private static string? Rtmr3((string Text, JsonElement Root) info) => TcbInfo(info).GetProperty("rtmr3").GetString();
}
