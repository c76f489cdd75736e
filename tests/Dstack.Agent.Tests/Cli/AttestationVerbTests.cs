using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dstack.Agent.Cli;
using Dstack.Attestation.Simulation;
using Dstack.Tests;

namespace Dstack.Agent.Tests.Cli;

/// <summary>The <c>quote</c>, <c>verify-quote</c> and <c>replay</c> verbs, driven through the same entry points the command line uses.</summary>
public sealed class AttestationVerbTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<(int Exit, string Out, string Err)> Run(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var command = AgentCli.Create();
        var exit = await command.Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private async Task<string> SimulatedQuoteHex(string reportDataHex)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await QuoteCommand.RunAsync(_dir.Path, reportDataHex, output, error, CancellationToken.None);
        Assert.True(exit == 0, error.ToString());
        return output.ToString().Trim();
    }

    private async Task<(int Exit, JsonElement Json)> Verify(string file, bool simulated)
    {
        var output = new StringWriter();
        var exit = await VerifyQuoteCommand.RunAsync(file, simulated ? _dir.Path : null, Stream.Null, output, new StringWriter(), CancellationToken.None);
        return (exit, JsonDocument.Parse(output.ToString()).RootElement.Clone());
    }

    [Fact]
    public async Task Simulated_quote_carries_the_report_data_right_padded_and_verifies_only_under_the_simulated_root()
    {
        var hex = await SimulatedQuoteHex("0xDEADbeef");
        var file = Path.Combine(_dir.Path, "quote.hex");
        await File.WriteAllTextAsync(file, hex + "\n");

        var (exit, json) = await Verify(file, simulated: true);
        Assert.Equal(0, exit);
        Assert.True(json.GetProperty("valid").GetBoolean());
        Assert.Equal("deadbeef" + new string('0', 120), json.GetProperty("report_data").GetString());
        Assert.Equal(MockDcapPki.RootName, json.GetProperty("trust_root").GetProperty("name").GetString());
        Assert.Equal("Unknown", json.GetProperty("tcb_status").GetString());
        Assert.False(json.GetProperty("debug").GetBoolean());
        Assert.Equal(Convert.ToHexStringLower(SimulatedBootImage.Default.Boot().MrTd), json.GetProperty("measurements").GetProperty("mr_td").GetString());

        var (intelExit, intel) = await Verify(file, simulated: false);
        Assert.Equal(1, intelExit);
        Assert.False(intel.GetProperty("valid").GetBoolean());
        Assert.Equal("Intel SGX Root CA", intel.GetProperty("trust_root").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Raw_quote_files_are_accepted_and_a_flipped_byte_fails()
    {
        var quote = SharedFiles.ReadFixture("ratls-tdx_quote");
        var file = Path.Combine(_dir.Path, "quote.bin");
        await File.WriteAllBytesAsync(file, quote);
        var (exit, json) = await Verify(file, simulated: false);
        Assert.Equal(0, exit);
        Assert.Equal("b0c06f000000", json.GetProperty("fmspc").GetString());
        Assert.Equal("0000001000000000", json.GetProperty("measurements").GetProperty("td_attributes").GetString());

        quote[600] ^= 1; // inside REPORTDATA, covered by the quote signature
        await File.WriteAllBytesAsync(file, quote);
        var (badExit, bad) = await Verify(file, simulated: false);
        Assert.Equal(1, badExit);
        Assert.Contains(bad.GetProperty("failures").EnumerateArray(), f => f.GetString()!.Contains("quote signature", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Quote_refuses_bad_report_data_with_a_clear_error()
    {
        var error = new StringWriter();
        Assert.Equal(2, await QuoteCommand.RunAsync(_dir.Path, new string('a', 130), new StringWriter(), error, CancellationToken.None));
        Assert.Contains("65 bytes given, at most 64 allowed", error.ToString(), StringComparison.Ordinal);

        error = new StringWriter();
        Assert.Equal(2, await QuoteCommand.RunAsync(_dir.Path, "abc", new StringWriter(), error, CancellationToken.None));
        Assert.Contains("odd number of hex digits", error.ToString(), StringComparison.Ordinal);

        error = new StringWriter();
        Assert.Equal(2, await QuoteCommand.RunAsync(_dir.Path, "zz", new StringWriter(), error, CancellationToken.None));
        Assert.Contains("not hex", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_quote_reads_standard_input_and_reports_unreadable_input()
    {
        var hex = await SimulatedQuoteHex("01");
        var output = new StringWriter();
        using var stdin = new MemoryStream(Encoding.ASCII.GetBytes(hex));
        Assert.Equal(0, await VerifyQuoteCommand.RunAsync("-", _dir.Path, stdin, output, new StringWriter(), CancellationToken.None));
        Assert.True(JsonDocument.Parse(output.ToString()).RootElement.GetProperty("valid").GetBoolean());

        var error = new StringWriter();
        Assert.Equal(2, await VerifyQuoteCommand.RunAsync(Path.Combine(_dir.Path, "missing"), null, Stream.Null, new StringWriter(), error, CancellationToken.None));
        Assert.Contains("missing", error.ToString(), StringComparison.Ordinal);

        // garbage is a failed verdict naming the problem, not a crash
        var garbage = Path.Combine(_dir.Path, "garbage");
        await File.WriteAllTextAsync(garbage, "0x0400020081");
        output = new StringWriter();
        Assert.Equal(1, await VerifyQuoteCommand.RunAsync(garbage, null, Stream.Null, output, new StringWriter(), CancellationToken.None));
        Assert.Contains("malformed quote", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("simulator-attestation.bin", 33, "f28a1490ee924e9396c2ccf2d93ad536b83cbe159a1d45024d1fd7acdcc102145efcfcd0cfa209416446c70226affadf")]
    [InlineData("verifier-quote-report.json", 28, "0f787c3877f3e95095d5a4d13dd0fe0233803b30120d8469866719dc28f519ce021fe1e53459121e7a5a4443147185a8")]
    [InlineData("verifier-tdx-lite-getquote.json", 29, "6f24c170d0fd63fc2b1b53202eea47b013978437fa6982cf5e0438ff95c208994aaa0f4ebab2e3a66824b5b56869137e")]
    public async Task Replay_verifies_the_embedded_quote_then_matches_its_rtmrs(string fixture, int events, string rtmr3)
    {
        var output = new StringWriter();
        var exit = await ReplayCommand.RunAsync(SharedFiles.Fixture(fixture), null, Stream.Null, output, new StringWriter(), CancellationToken.None);
        var json = JsonDocument.Parse(output.ToString()).RootElement;

        Assert.Equal(0, exit);
        Assert.Equal(events, json.GetProperty("events").GetInt32());
        Assert.Equal(rtmr3, json.GetProperty("rtmr3").GetString());
        Assert.True(json.GetProperty("quote").GetProperty("valid").GetBoolean());
        Assert.True(json.GetProperty("quote").GetProperty("replay_matches").GetBoolean());
    }

    [Fact]
    public async Task Replay_of_a_ccel_prints_the_boot_rtmrs()
    {
        var output = new StringWriter();
        Assert.Equal(0, await ReplayCommand.RunAsync(SharedFiles.Fixture("eventlog-ccel.bin"), null, Stream.Null, output, new StringWriter(), CancellationToken.None));
        var json = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.Equal("274c2344116db7c663470693b5ba62b8621eac28cb41d2f816ddf188f9f423f900a1c44d32386fd3c993dc814e62af9d", json.GetProperty("rtmr0").GetString());
        Assert.Equal("bdcf4ee0f7fdfe7c73fbb19ded73193aee23a6726b86d3b282ea097cf4c9ed7a0db21b5c1ccd513e410d90e310836b26", json.GetProperty("rtmr1").GetString());
        Assert.False(json.TryGetProperty("quote", out _));
    }

    [Fact]
    public async Task Replay_refuses_to_replay_when_the_quote_does_not_verify()
    {
        var document = JsonDocument.Parse(await File.ReadAllTextAsync(SharedFiles.Fixture("verifier-quote-report.json"))).RootElement;
        var quote = Convert.FromHexString(document.GetProperty("quote").GetString()!);
        quote[100] ^= 0x80;
        var tampered = Path.Combine(_dir.Path, "tampered.json");
        await File.WriteAllTextAsync(tampered, new JsonObject
        {
            ["quote"] = Convert.ToHexStringLower(quote),
            ["event_log"] = document.GetProperty("event_log").GetString(),
        }.ToJsonString());

        var output = new StringWriter();
        Assert.Equal(1, await ReplayCommand.RunAsync(tampered, null, Stream.Null, output, new StringWriter(), CancellationToken.None));
        var json = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.False(json.GetProperty("quote").GetProperty("valid").GetBoolean());
        Assert.False(json.TryGetProperty("rtmr0", out _));
    }

    [Fact]
    public async Task Replay_reports_malformed_input_with_exit_code_2()
    {
        var bad = Path.Combine(_dir.Path, "bad.json");
        await File.WriteAllTextAsync(bad, "[{\"imr\": 3, \"event_type\": \"x\"}]");
        var error = new StringWriter();
        Assert.Equal(2, await ReplayCommand.RunAsync(bad, null, Stream.Null, new StringWriter(), error, CancellationToken.None));
        Assert.Contains("bad.json", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_line_parsing_reports_missing_state_dir()
    {
        var (exit, _, err) = await Run(["verify-quote", "--simulated-root", "x"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("--simulated-root needs --state-dir", err, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, JsonElement Json)> VerifyWithCollateral(string quote, string collateral, DateTimeOffset at)
    {
        var output = new StringWriter();
        var exit = await VerifyQuoteCommand.RunAsync(
            SharedFiles.Fixture("collateral/" + quote), null, SharedFiles.Fixture($"collateral/{collateral}_collateral.json"), at, Stream.Null, output, new StringWriter(), CancellationToken.None);
        return (exit, JsonDocument.Parse(output.ToString()).RootElement.Clone());
    }

    [Fact]
    public async Task Verify_quote_with_intel_collateral_reports_up_to_date()
    {
        Assert.True(VerifyQuoteCommand.TryParseTime("2025-07-19T10:00:34Z", out var at));
        var (exit, json) = await VerifyWithCollateral("tdx_quote", "tdx_quote", at);

        Assert.Equal(0, exit);
        Assert.True(json.GetProperty("valid").GetBoolean());
        Assert.Equal("UpToDate", json.GetProperty("tcb_status").GetString());
        Assert.Equal(0, json.GetProperty("advisory_ids").GetArrayLength());
        Assert.Equal("UpToDate", json.GetProperty("platform_status").GetString());
        Assert.Equal("UpToDate", json.GetProperty("qe_status").GetString());
        Assert.Equal("2025-07-19T10:00:35Z", json.GetProperty("collateral_valid_until").GetString());
        Assert.Equal("2025-07-19T10:00:34Z", json.GetProperty("verified_at").GetString());
        Assert.Equal("b0c06f000000", json.GetProperty("fmspc").GetString());
    }

    [Fact]
    public async Task Verify_quote_with_intel_collateral_fails_for_the_outdated_quote()
    {
        Assert.True(VerifyQuoteCommand.TryParseTime("1774003274", out var at));
        var (exit, json) = await VerifyWithCollateral("tdx_quote_outdated", "tdx_quote_outdated", at);

        Assert.Equal(1, exit);
        Assert.False(json.GetProperty("valid").GetBoolean());
        Assert.Equal(["No matching TCB level found"], json.GetProperty("failures").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("Unknown", json.GetProperty("tcb_status").GetString());
        Assert.False(json.TryGetProperty("platform_status", out _));
    }

    [Fact]
    public async Task Verify_quote_with_expired_collateral_exits_1()
    {
        var (exit, json) = await VerifyWithCollateral("tdx_quote", "tdx_quote", DateTimeOffset.FromUnixTimeSeconds(1752919235));
        Assert.Equal(1, exit);
        Assert.Contains("expired", json.GetProperty("failures")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_quote_with_unreadable_collateral_exits_2_naming_the_key()
    {
        var bad = Path.Combine(_dir.Path, "collateral.json");
        await File.WriteAllTextAsync(bad, "{\"pck_crl_issuer_chain\": 1}");
        var error = new StringWriter();
        Assert.Equal(2, await VerifyQuoteCommand.RunAsync(SharedFiles.Fixture("collateral/tdx_quote"), null, bad, null, Stream.Null, new StringWriter(), error, CancellationToken.None));
        Assert.Contains("collateral.pck_crl_issuer_chain: expected a string", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2025-07-19T10:00:34Z", 1752919234)]
    [InlineData("1752919234", 1752919234)]
    [InlineData("0", 0)]
    public void At_accepts_iso_utc_and_unix_seconds(string text, long seconds)
    {
        Assert.True(VerifyQuoteCommand.TryParseTime(text, out var time));
        Assert.Equal(seconds, time.ToUnixTimeSeconds());
    }

    [Theory]
    [InlineData("2025-07-19T10:00:34")]
    [InlineData("2025-07-19T10:00:34+02:00")]
    [InlineData("-5")]
    [InlineData("yesterday")]
    public void At_refuses_other_forms(string text) => Assert.False(VerifyQuoteCommand.TryParseTime(text, out _));

    [Fact]
    public async Task Command_line_parsing_reports_a_bad_time()
    {
        var (exit, _, err) = await Run(["verify-quote", "--at", "yesterday", "x"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("--at: 'yesterday' is neither", err, StringComparison.Ordinal);
    }
}
