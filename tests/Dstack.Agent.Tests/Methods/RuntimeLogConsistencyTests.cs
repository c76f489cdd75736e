using System.Security.Cryptography;
using System.Text.Json;
using Dstack.Agent.Tests.Support;
using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Simulation;

namespace Dstack.Agent.Tests.Methods;

/// <summary>The runtime log limits and the log-behind-RTMR3 state, through the socket API of an agent on a simulated TD.</summary>
public sealed class RuntimeLogConsistencyTests
{
    [Fact]
    public async Task A_log_behind_rtmr3_at_start_makes_GetQuote_Attest_and_EmitEvent_refuse_with_the_reason_until_it_is_repaired()
    {
        await using var agent = TestAgent.Create();
        var lost = new RuntimeEvent("lost", [7]);
        using (var td = SimulatedTd.Open(agent.Directory))
        {
            await td.Device.ExtendRtmrAsync(3, lost.ComputeDigest(), CancellationToken.None); // extended, never logged
        }

        await agent.StartAsync();
        var log = Path.Combine(agent.Directory, RuntimeEventLog.FileName);
        var expected = $"the runtime event log {log} does not replay to RTMR3 (RTMR3 holds extensions that the log does not list: an append failed after an extend, or a process stopped between them); quotes are refused until it is repaired";
        foreach (var (method, body) in new[] { ("/GetQuote", "{}"), ("/Attest", "{}"), ("/EmitEvent", "{\"event\":\"x\",\"payload\":\"\"}") })
        {
            var response = await RawHttp.PostJsonAsync(agent.DstackSocket, method, body);
            Assert.Equal(400, response.Status);
            using var json = JsonDocument.Parse(response.Body);
            Assert.Equal(expected, json.RootElement.GetProperty("error").GetString());
        }

        Assert.False(File.Exists(log)); // the refused EmitEvent neither extended nor logged

        await File.WriteAllTextAsync(log, RuntimeEventLog.FormatLine(lost) + "\n"); // the repair
        var quote = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetQuote", "{}");
        Assert.Equal(200, quote.Status);
        using var quoteJson = JsonDocument.Parse(quote.Body);
        var events = EventLogJson.Deserialize(quoteJson.RootElement.GetProperty("event_log").GetString()!);
        Assert.Equal("lost", events[^1].Event);
        SimulatedRoot.AssertReplays(events, SimulatedRoot.AssertVerifies(agent.Directory, Convert.FromHexString(quoteJson.RootElement.GetProperty("quote").GetString()!)));
    }

    [Fact]
    public async Task EmitEvent_refuses_the_event_that_would_take_the_log_past_the_attestation_budget()
    {
        await using var agent = await TestAgent.StartAsync();
        var options = new RuntimeEventEmitterOptions();
        var payload = new string('a', options.MaxPayloadBytes * 2);
        var each = RuntimeEventLogSnapshot.AttestationFootprint("big", options.MaxPayloadBytes);
        var fit = (int)(options.MaxLogAttestationBytes / each);
        for (var i = 0; i < fit; i++)
        {
            Assert.Equal(200, (await RawHttp.PostJsonAsync(agent.DstackSocket, "/EmitEvent", $"{{\"event\":\"big\",\"payload\":\"{payload}\"}}")).Status);
        }

        var refused = await RawHttp.PostJsonAsync(agent.DstackSocket, "/EmitEvent", $"{{\"event\":\"big\",\"payload\":\"{payload}\"}}");

        Assert.Equal(400, refused.Status);
        using var json = JsonDocument.Parse(refused.Body);
        Assert.Equal(
            $"event 'big' refused: the runtime event log takes {fit * each} bytes of an attestation and would take {(fit + 1) * each}, the limit is {options.MaxLogAttestationBytes} (more would make quotes unverifiable)",
            json.RootElement.GetProperty("error").GetString());
        var logged = RuntimeEventLog.Parse(await File.ReadAllTextAsync(Path.Combine(agent.Directory, RuntimeEventLog.FileName)));
        Assert.Equal(fit, logged.Count);

        // the full log still makes a quote whose attestation a verifier accepts
        var attest = await RawHttp.PostJsonAsync(agent.DstackSocket, "/Attest", "{}");
        Assert.Equal(200, attest.Status);
        using var attestJson = JsonDocument.Parse(attest.Body);
        var decoded = Dstack.Attestation.Formats.AttestationCodec.Decode(Convert.FromHexString(attestJson.RootElement.GetProperty("attestation").GetString()!));
        Assert.Equal(fit, decoded.RuntimeEvents.Count);
        RtmrReplay.Replay(decoded.EventLog);
    }

    [Fact]
    public async Task GetQuote_event_logs_are_the_same_bytes_as_a_fresh_parse_of_the_files()
    {
        await using var agent = await TestAgent.StartAsync();
        await RawHttp.PostJsonAsync(agent.DstackSocket, "/EmitEvent", "{\"event\":\"one\",\"payload\":\"01\"}");
        var first = await EventLogOfQuoteAsync(agent);
        await RawHttp.PostJsonAsync(agent.DstackSocket, "/EmitEvent", "{\"event\":\"two\",\"payload\":\"0202\"}");
        var second = await EventLogOfQuoteAsync(agent);
        var third = await EventLogOfQuoteAsync(agent);

        using var td = SimulatedTd.Open(agent.Directory);
        var fresh = EventLogJson.Serialize(await td.ReadEventLogAsync(CancellationToken.None));
        Assert.Equal(fresh, second);
        Assert.Equal(second, third);
        Assert.StartsWith(first[..^1], second, StringComparison.Ordinal);
        Assert.Contains("\"event\":\"two\"", second, StringComparison.Ordinal);
        Assert.Equal(SHA384.HashData(new RuntimeEvent("two", [2, 2]).ComputePreimage()), EventLogJson.Deserialize(second)[^1].Digest);
    }

    private static async Task<string> EventLogOfQuoteAsync(TestAgent agent)
    {
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetQuote", "{}");
        Assert.Equal(200, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        return json.RootElement.GetProperty("event_log").GetString()!;
    }
}
