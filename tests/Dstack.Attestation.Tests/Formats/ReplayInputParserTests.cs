using System.Text;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Tests;

namespace Dstack.Attestation.Tests.Formats;

public class ReplayInputParserTests
{
    [Theory]
    [InlineData("verifier-quote-report.json", 28)]
    [InlineData("verifier-tdx-lite-getquote.json", 29)]
    public void Verifier_fixtures_replay_to_the_rtmrs_of_their_quotes(string fixture, int events)
    {
        var input = ReplayInputParser.Parse(SharedFiles.ReadFixture(fixture));

        Assert.Equal(events, input.Events.Count);
        Assert.NotNull(input.Quote);
        var check = RtmrReplay.Check(input.Events, TestVectors.QuoteRtmrs(input.Quote));
        Assert.True(check.IsMatch, check.Describe());
    }

    [Fact]
    public void Lite_attestation_replays_rtmr3_and_reports_the_stripped_boot_registers()
    {
        var input = ReplayInputParser.Parse(SharedFiles.ReadFixture("verifier-tdx-lite-attestation.json"));

        Assert.Equal(12, input.Events.Count); // 3 ACPI + 9 runtime
        Assert.Equal(["acpi-loader", "acpi-rsdp", "acpi-tables"], input.Events.Take(3).Select(e => e.Event));
        var check = RtmrReplay.Check(input.Events, TestVectors.QuoteRtmrs(input.Quote!));
        // only the three ACPI digests of RTMR0 survive stripping, and none of RTMR1/RTMR2
        Assert.Equal([0, 1, 2], check.Mismatches.Select(m => m.Index));
        Assert.Contains("RTMR0 mismatch", check.Describe(), StringComparison.Ordinal);
        Assert.Equal(TestVectors.QuoteRtmrs(input.Quote!).ToHex(3), check.Replayed.ToHex(3));
    }

    [Fact]
    public void Raw_ccel_raw_attestation_and_plain_arrays_are_recognised()
    {
        var ccel = ReplayInputParser.Parse(SharedFiles.ReadFixture("eventlog-ccel.bin"));
        Assert.Equal(("ccel", 18), (ccel.Source, ccel.Events.Count));
        Assert.Null(ccel.Quote);

        var bin = ReplayInputParser.Parse(SharedFiles.ReadFixture("simulator-attestation.bin"));
        Assert.Equal(("attestation-v0", 33, 5010), (bin.Source, bin.Events.Count, bin.Quote!.Length));

        var array = ReplayInputParser.Parse(Encoding.UTF8.GetBytes(" " + EventLogJson.Serialize(bin.Events)));
        Assert.Equal("json-array", array.Source);
        Assert.Equal(RtmrReplay.Replay(bin.Events).ToHex(3), RtmrReplay.Replay(array.Events).ToHex(3));
    }

    [Theory]
    [InlineData("{\"quote\":\"00\"}", "neither")]
    [InlineData("{\"event_log\":5}", "expected an array or a string")]
    [InlineData("{\"event_log\":\"[{\\\"imr\\\":1}]\"}", "invalid event log JSON")]
    [InlineData("{\"attestation\":\"zz\"}", "not valid hex")]
    [InlineData("[{\"imr\":0", "JSON")]
    public void Malformed_json_inputs_are_typed_errors(string json, string message)
    {
        var ex = Assert.ThrowsAny<FormatException>(() => ReplayInputParser.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.True(ex is AttestationFormatException or EventLogFormatException);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
