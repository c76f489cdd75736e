using System.Text.Json;
using Dstack.Agent.Tests.Support;
using Dstack.Attestation.EventLog;

namespace Dstack.Agent.Tests.Methods;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Concurrent_EmitEvent_and_GetQuote_keep_every_quote_and_the_final_log_consistent_with_the_rtmrs()
    {
        await using var agent = await TestAgent.StartAsync();
        const int Emitters = 8;
        const int EventsPerEmitter = 12;
        const int Quoters = 6;
        const int QuotesPerQuoter = 6;

        var emitters = Enumerable.Range(0, Emitters).Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < EventsPerEmitter; i++)
            {
                var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/EmitEvent", $"{{\"event\":\"client-{c}\",\"payload\":\"{i:x2}\"}}");
                Assert.Equal(200, response.Status);
            }
        }));
        var quoters = Enumerable.Range(0, Quoters).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < QuotesPerQuoter; i++)
            {
                var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetQuote", "{}");
                Assert.True(response.Status == 200, response.BodyText);
                AssertConsistent(agent.Directory, response.Body);
            }
        }));
        await Task.WhenAll(emitters.Concat(quoters)).WaitAsync(TimeSpan.FromMinutes(3));

        var final = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetQuote", "{}");
        var events = AssertConsistent(agent.Directory, final.Body);
        var runtime = events.Where(e => e.IsRuntimeEvent).ToList();
        Assert.Equal(Emitters * EventsPerEmitter, runtime.Count);
        for (var c = 0; c < Emitters; c++)
        {
            // each client's events appear once each, in the order that client sent them
            Assert.Equal(Enumerable.Range(0, EventsPerEmitter).Select(i => (byte)i), runtime.Where(e => e.Event == $"client-{c}").Select(e => e.EventPayload.Single()));
        }

        var logged = await RuntimeEventLog.ReadAsync(Path.Combine(agent.Directory, RuntimeEventLog.FileName), CancellationToken.None);
        Assert.Equal(runtime.Select(e => e.Event), logged.Select(e => e.Name));
    }

    private static IReadOnlyList<TdxEvent> AssertConsistent(string stateDirectory, byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        var quote = SimulatedRoot.AssertVerifies(stateDirectory, Convert.FromHexString(json.RootElement.GetProperty("quote").GetString()!));
        var events = EventLogJson.Deserialize(json.RootElement.GetProperty("event_log").GetString()!);
        SimulatedRoot.AssertReplays(events, quote);
        return events;
    }
}
