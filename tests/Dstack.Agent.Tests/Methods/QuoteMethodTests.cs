using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dstack.Agent.Tests.Support;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Tests;

namespace Dstack.Agent.Tests.Methods;

public sealed class QuoteMethodTests
{
    private const string FixtureVmConfig = "{\"os_image_hash\":\"64f0d1545cd510a8dfed7ad609d105b5d41f0cb2afcfdda8867ede00c88add7a\",\"cpu_count\":1,\"memory_size\":2147483648}";

    [Fact]
    public async Task GetQuote_binds_right_padded_report_data_verifies_and_its_event_log_replays()
    {
        await using var agent = await TestAgent.StartAsync();
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetQuote", "{\"report_data\":\"0x74657374\"}");
        Assert.Equal(200, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        var root = json.RootElement;
        Assert.Equal(["quote", "event_log", "report_data", "vm_config"], root.EnumerateObject().Select(p => p.Name));
        var padded = "74657374" + new string('0', 120);
        Assert.Equal(padded, root.GetProperty("report_data").GetString());
        Assert.Equal(FixtureVmConfig, root.GetProperty("vm_config").GetString());

        var quote = SimulatedRoot.AssertVerifies(agent.Directory, Convert.FromHexString(root.GetProperty("quote").GetString()!));
        Assert.Equal(padded, Convert.ToHexStringLower(quote.ReportData.Span));
        var events = EventLogJson.Deserialize(root.GetProperty("event_log").GetString()!);
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal(48, e.Digest.Length)); // every event carries its digest (DESIGN §2)
        SimulatedRoot.AssertReplays(events, quote);
    }

    [Fact]
    public async Task GetQuote_with_empty_body_quotes_64_zero_bytes()
    {
        await using var agent = await TestAgent.StartAsync();
        var response = await RawHttp.SendAsync(agent.DstackSocket, RawHttp.Request("POST", "/GetQuote?json"));
        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal(new string('0', 128), json.RootElement.GetProperty("report_data").GetString());
        var quote = SimulatedRoot.AssertVerifies(agent.Directory, Convert.FromHexString(json.RootElement.GetProperty("quote").GetString()!));
        Assert.True(quote.ReportData.Span.IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public async Task GetQuote_and_Attest_refuse_more_than_64_bytes_verbatim()
    {
        await using var agent = await TestAgent.StartAsync();
        foreach (var method in new[] { "/GetQuote", "/Attest" })
        {
            var response = await RawHttp.PostJsonAsync(agent.DstackSocket, method, $"{{\"report_data\":\"{new string('a', 130)}\"}}");
            Assert.Equal(400, response.Status);
            Assert.Equal("{\n  \"error\": \"Report data is too long\"\n}", response.BodyText);
        }

        var ok = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetQuote", $"{{\"report_data\":\"{new string('a', 128)}\"}}");
        Assert.Equal(200, ok.Status);
    }

    [Fact]
    public async Task EmitEvent_extends_rtmr3_and_logs_the_event_and_the_next_quote_replays()
    {
        await using var agent = await TestAgent.StartAsync();
        var emitted = await RawHttp.PostJsonAsync(agent.DstackSocket, "/EmitEvent", "{\"event\":\"custom-event\",\"payload\":\"deadbeef\"}");
        Assert.Equal(200, emitted.Status);
        Assert.Equal("null", emitted.BodyText);
        var logLine = (await File.ReadAllLinesAsync(Path.Combine(agent.Directory, RuntimeEventLog.FileName))).Single();
        Assert.Equal("{\"event\":\"custom-event\",\"payload\":\"3q2+7w==\"}", logLine);

        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetQuote", "{}");
        using var json = JsonDocument.Parse(response.Body);
        var quote = SimulatedRoot.AssertVerifies(agent.Directory, Convert.FromHexString(json.RootElement.GetProperty("quote").GetString()!));
        var events = EventLogJson.Deserialize(json.RootElement.GetProperty("event_log").GetString()!);
        var last = events[^1];
        Assert.Equal((3u, 134217729u, "custom-event", "deadbeef"), (last.Imr, last.EventType, last.Event, Convert.ToHexStringLower(last.EventPayload)));
        Assert.Equal(SHA384.HashData(Convert.FromHexString("010000083a637573746f6d2d6576656e743adeadbeef")), last.Digest);
        var rtmr3 = SHA384.HashData([.. new byte[48], .. last.Digest]);
        Assert.Equal(rtmr3, quote.Rtmrs[3].ToArray());
        SimulatedRoot.AssertReplays(events, quote);
    }

    [Theory]
    [InlineData("{\"event\":\"\",\"payload\":\"\"}", "event: event name must not be empty")]
    [InlineData("{\"event\":\"bad\\nname\",\"payload\":\"\"}", "event: event name contains a control character (U+000A) at position 3")]
    [InlineData("{\"event\":\"x\",\"payload\":\"zz\"}", "invalid hex in field `payload`")]
    public async Task EmitEvent_rejects_bad_names_and_payloads_without_touching_the_log(string body, string error)
    {
        await using var agent = await TestAgent.StartAsync();
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/EmitEvent", body);
        Assert.Equal(400, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        Assert.StartsWith(error, json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(agent.Directory, RuntimeEventLog.FileName)));
    }

    [Fact]
    public async Task EmitEvent_rejects_an_oversize_payload()
    {
        await using var agent = await TestAgent.StartAsync();
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/EmitEvent", $"{{\"event\":\"big\",\"payload\":\"{new string('a', (64 * 1024 * 2) + 2)}\"}}");
        Assert.Equal(400, response.Status);
        Assert.Contains("payload: event 'big': payload of 65537 bytes exceeds 65536", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attest_returns_the_full_V0_attestation()
    {
        await using var agent = await TestAgent.StartAsync();
        await RawHttp.PostJsonAsync(agent.DstackSocket, "/EmitEvent", "{\"event\":\"app-event\",\"payload\":\"01\"}");
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/Attest", "{\"report_data\":\"ab\"}");
        using var json = JsonDocument.Parse(response.Body);
        var bytes = Convert.FromHexString(json.RootElement.GetProperty("attestation").GetString()!);
        Assert.Equal(0, bytes[0]);
        var attestation = AttestationCodec.Decode(bytes);
        Assert.Equal("ab" + new string('0', 126), Convert.ToHexStringLower(attestation.ReportData));
        Assert.Equal(FixtureVmConfig, attestation.Config);
        Assert.Equal("app-event", attestation.RuntimeEvents.Single().Name);
        var quote = SimulatedRoot.AssertVerifies(agent.Directory, attestation.Quote);
        Assert.Equal(attestation.ReportData, quote.ReportData.ToArray());
        Assert.All(attestation.EventLog.Where(e => !e.IsRuntimeEvent), e => Assert.NotEmpty(e.EventPayload));
        SimulatedRoot.AssertReplays(attestation.EventLog, quote);
    }

    [Theory]
    [InlineData("", "", "sha512", "app-data", "1864e059be7e1ec12d9fe9da903d3711e0d72edab19f044cc9d6ac90c32b996b545a9979309bd19c36b803941e8e3485115e9b794001f2b9f367f6e03c52e532")]
    [InlineData("sha256", "", "sha256", "app-data", "a5d2ef1e94583bef4a02b29278af41b662d239beb36937a993108841b6b3c1fc0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("keccak256", "", "keccak256", "app-data", "b877945563d5025eec520b6bb150efcf4c368c491ff1947529be3125d4e5ecb60000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("", "custom-domain", "sha512", "custom-domain", "ad4a4f0b37dc25e329d9692422b0d798eba8a4cf5e08a553b9c4ac3c40b249903f93e2dda86cd2bea4dc533ac8a689135feeba17a40ad66a1cc4011f1464785f")]
    public async Task Tappd_TdxQuote_hashes_with_the_prefix(string algorithm, string prefix, string echoedAlgorithm, string echoedPrefix, string expectedReportData)
    {
        await using var agent = await TestAgent.StartAsync();
        var response = await RawHttp.PostJsonAsync(agent.TappdSocket, "/prpc/Tappd.TdxQuote", $"{{\"report_data\":\"74657374\",\"hash_algorithm\":\"{algorithm}\",\"prefix\":\"{prefix}\"}}");
        Assert.Equal(200, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        var root = json.RootElement;
        Assert.Equal(["quote", "event_log", "hash_algorithm", "prefix"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(echoedAlgorithm, root.GetProperty("hash_algorithm").GetString());
        Assert.Equal(echoedPrefix, root.GetProperty("prefix").GetString());
        var quote = SimulatedRoot.AssertVerifies(agent.Directory, Convert.FromHexString(root.GetProperty("quote").GetString()!));
        Assert.Equal(expectedReportData, Convert.ToHexStringLower(quote.ReportData.Span));
        SimulatedRoot.AssertReplays(EventLogJson.Deserialize(root.GetProperty("event_log").GetString()!), quote);
    }

    [Fact]
    public async Task Tappd_raw_quotes_need_exactly_64_bytes()
    {
        await using var agent = await TestAgent.StartAsync();
        var exact = new string('5', 128);
        foreach (var (path, body) in new[]
        {
            ("/prpc/Tappd.TdxQuote", $"{{\"report_data\":\"{exact}\",\"hash_algorithm\":\"raw\"}}"),
            ("/prpc/Tappd.RawQuote", $"{{\"report_data\":\"{exact}\"}}"),
        })
        {
            var response = await RawHttp.PostJsonAsync(agent.TappdSocket, path, body);
            using var json = JsonDocument.Parse(response.Body);
            Assert.Equal("raw", json.RootElement.GetProperty("hash_algorithm").GetString());
            Assert.Equal("", json.RootElement.GetProperty("prefix").GetString());
            var quote = SimulatedRoot.AssertVerifies(agent.Directory, Convert.FromHexString(json.RootElement.GetProperty("quote").GetString()!));
            Assert.Equal(exact, Convert.ToHexStringLower(quote.ReportData.Span));
        }

        var shortRaw = await RawHttp.PostJsonAsync(agent.TappdSocket, "/prpc/Tappd.RawQuote", "{\"report_data\":\"74657374\"}");
        Assert.Equal("{\n  \"error\": \"invalid content length\"\n}", shortRaw.BodyText);
        var shortTdx = await RawHttp.PostJsonAsync(agent.TappdSocket, "/prpc/Tappd.TdxQuote", "{\"report_data\":\"74657374\",\"hash_algorithm\":\"raw\"}");
        Assert.Equal("{\n  \"error\": \"invalid content length\"\n}", shortTdx.BodyText);
        var badHash = await RawHttp.PostJsonAsync(agent.TappdSocket, "/prpc/Tappd.TdxQuote", "{\"report_data\":\"74657374\",\"hash_algorithm\":\"md5\"}");
        Assert.Equal(400, badHash.Status);
        Assert.Equal("{\n  \"error\": \"invalid hash algorithm\"\n}", badHash.BodyText);
    }

    [Fact]
    public async Task Info_reports_tcb_info_mr_aggregated_and_a_demo_certificate_matching_the_quote()
    {
        await using var agent = await TestAgent.StartAsync();
        var info = await RawHttp.SendAsync(agent.DstackSocket, RawHttp.Request("GET", "/Info"));
        using var json = JsonDocument.Parse(info.Body);
        var root = json.RootElement;
        var tcbText = root.GetProperty("tcb_info").GetString()!;
        Assert.StartsWith("{\n  \"mrtd\": \"", tcbText, StringComparison.Ordinal);
        using var tcb = JsonDocument.Parse(tcbText);
        var t = tcb.RootElement;
        Assert.Equal(
            ["mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mr_aggregated", "os_image_hash", "compose_hash", "device_id", "event_log", "app_compose"],
            t.EnumerateObject().Select(p => p.Name));
        Assert.Equal(await File.ReadAllTextAsync(SharedFiles.Fixture("simulator-app-compose.json")), t.GetProperty("app_compose").GetString());
        Assert.Equal(root.GetProperty("mr_aggregated").GetString(), t.GetProperty("mr_aggregated").GetString());
        Assert.Equal(root.GetProperty("compose_hash").GetString(), t.GetProperty("compose_hash").GetString());

        var quoteResponse = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetQuote", "{}");
        using var quoteJson = JsonDocument.Parse(quoteResponse.Body);
        var quote = SimulatedRoot.AssertVerifies(agent.Directory, Convert.FromHexString(quoteJson.RootElement.GetProperty("quote").GetString()!));
        Assert.Equal(Convert.ToHexStringLower(quote.MrTd.Span), t.GetProperty("mrtd").GetString());
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(Convert.ToHexStringLower(quote.Rtmrs[i].Span), t.GetProperty("rtmr" + i).GetString());
        }

        var events = EventLogJson.Deserialize(t.GetProperty("event_log").GetRawText());
        SimulatedRoot.AssertReplays(events, quote);
        var expected = SHA256.HashData([.. quote.MrTd.Span, .. quote.Rtmrs[0].Span, .. quote.Rtmrs[1].Span, .. quote.Rtmrs[2].Span, .. quote.Rtmrs[3].Span]);
        Assert.Equal(Convert.ToHexStringLower(expected), root.GetProperty("mr_aggregated").GetString());

        var appCert = root.GetProperty("app_cert").GetString()!;
        var pems = appCert.Split("\n\n");
        Assert.Equal(2, pems.Length);
        Assert.Equal(JsonDocument.Parse(await File.ReadAllTextAsync(SharedFiles.Fixture("simulator-appkeys.json"))).RootElement.GetProperty("ca_cert").GetString(), pems[1]);
        using var demo = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pems[0]);
        Assert.Equal("CN=demo-cert", demo.Subject);
        var binding = Dstack.Crypto.RaTls.RaTlsQuoteBinding.Check(Dstack.Crypto.RaTls.RaTlsCertificate.Parse(demo));
        Assert.True(binding.IsBound, binding.Problem);
        SimulatedRoot.AssertVerifies(agent.Directory, binding.Attestation!.Quote);

        var again = await RawHttp.SendAsync(agent.TappdSocket, RawHttp.Request("GET", "/prpc/Tappd.Info"));
        using var againJson = JsonDocument.Parse(again.Body);
        Assert.Equal(appCert, againJson.RootElement.GetProperty("app_cert").GetString()); // issued once, then kept
        Assert.Equal(Encoding.ASCII.GetByteCount(info.BodyText), info.Body.Length);
    }

    [Fact]
    public async Task A_register_extended_without_a_logged_event_is_an_error_not_a_hang()
    {
        await using var agent = await TestAgent.StartAsync();
        using (var td = Dstack.Attestation.Simulation.SimulatedTd.Open(agent.Directory))
        {
            await td.Device.ExtendRtmrAsync(3, new byte[48], CancellationToken.None);
        }

        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetQuote", "{}");
        Assert.Equal(400, response.Status);
        Assert.Contains("does not replay to the quoted RTMR3", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_logged_event_not_yet_extended_is_left_out_so_the_log_still_replays()
    {
        await using var agent = await TestAgent.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(agent.Directory, RuntimeEventLog.FileName), "{\"event\":\"pending\",\"payload\":\"\"}\n");
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetQuote", "{}");
        using var json = JsonDocument.Parse(response.Body);
        var quote = SimulatedRoot.AssertVerifies(agent.Directory, Convert.FromHexString(json.RootElement.GetProperty("quote").GetString()!));
        var events = EventLogJson.Deserialize(json.RootElement.GetProperty("event_log").GetString()!);
        Assert.DoesNotContain(events, e => e.IsRuntimeEvent);
        SimulatedRoot.AssertReplays(events, quote);
    }
}
