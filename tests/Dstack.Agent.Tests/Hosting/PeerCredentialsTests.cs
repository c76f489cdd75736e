using System.Globalization;
using System.Text.Json.Nodes;
using Dstack.Agent.Tests.Support;

namespace Dstack.Agent.Tests.Hosting;

public sealed class PeerCredentialsTests
{
    private static readonly (string Uid, string Gid) Self = ReadSelf();

    [Fact]
    public async Task Each_request_is_logged_with_the_peer_credentials()
    {
        await using var agent = await TestAgent.StartAsync();
        var response = await RawHttp.SendAsync(agent.DstackSocket, RawHttp.Request("GET", "/Version"));
        Assert.Equal(200, response.Status);
        var expected = $"from pid={Environment.ProcessId} uid={Self.Uid} gid={Self.Gid} -> 200";
        Assert.Contains(agent.Logs.Entries, e => e.EventId.Id == 10 && e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Callers_outside_the_allow_list_get_400_and_a_closed_connection()
    {
        await using var agent = await TestAgent.StartAsync(a => a.Config["Access"] = new JsonObject
        {
            ["AllowedUids"] = new JsonArray(54321),
            ["AllowedGids"] = new JsonArray(54322),
        });
        var response = await RawHttp.SendAsync(agent.DstackSocket, RawHttp.Request("GET", "/Version"));
        Assert.Equal(400, response.Status);
        Assert.Equal($"{{\n  \"error\": \"access denied: uid {Self.Uid} gid {Self.Gid} is not in the agent's allow-list (Access:AllowedUids / Access:AllowedGids)\"\n}}", response.BodyText);
        Assert.True(response.ConnectionClosed);
        Assert.Contains(agent.Logs.Entries, e => e.EventId.Id == 11);
    }

    [Theory]
    [InlineData("AllowedUids")]
    [InlineData("AllowedGids")]
    public async Task Callers_in_the_allow_list_are_served(string list)
    {
        var id = uint.Parse(list == "AllowedUids" ? Self.Uid : Self.Gid, CultureInfo.InvariantCulture);
        await using var agent = await TestAgent.StartAsync(a => a.Config["Access"] = new JsonObject { [list] = new JsonArray(54321, id) });
        var response = await RawHttp.SendAsync(agent.TappdSocket, RawHttp.Request("GET", "/prpc/Tappd.Version"));
        Assert.Equal(200, response.Status);
    }

    private static (string Uid, string Gid) ReadSelf()
    {
        var lines = File.ReadAllLines("/proc/self/status");
        string Effective(string key) => lines.Single(l => l.StartsWith(key, StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2];
        return (Effective("Uid:"), Effective("Gid:"));
    }
}
