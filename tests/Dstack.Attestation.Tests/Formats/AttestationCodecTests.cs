using System.Text.Json;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Tests;

namespace Dstack.Attestation.Tests.Formats;

public class AttestationCodecTests
{
    [Fact]
    public void Simulator_fixture_decodes_with_the_documented_shape()
    {
        var a = AttestationCodec.Decode(SharedFiles.ReadFixture("simulator-attestation.bin"));

        Assert.Equal(0, a.WireVersion);
        Assert.Equal(AttestationPlatform.DstackTdx, a.Platform);
        Assert.Equal(5010, a.Quote.Length);
        Assert.Equal(33, a.EventLog.Count);
        Assert.Equal(9, a.RuntimeEvents.Count);
        Assert.Equal(new byte[64], a.ReportData);
        Assert.Equal(TestVectors.Fixture.GetProperty("config").GetString(), a.Config);
        Assert.Equal(
            TestVectors.Fixture.GetProperty("runtime_events").EnumerateArray().Select(e => e.GetProperty("event").GetString()),
            a.RuntimeEvents.Select(e => e.Name));
    }

    [Fact]
    public void Simulator_event_log_matches_test_vectors_json()
    {
        var a = AttestationCodec.Decode(SharedFiles.ReadFixture("simulator-attestation.bin"));
        var expected = TestVectors.Fixture.GetProperty("event_log").GetRawText();
        Assert.Equal(
            EventLogJson.Serialize(EventLogJson.Deserialize(expected)),
            EventLogJson.Serialize(a.EventLog));
    }

    [Fact]
    public void Simulator_full_replay_equals_the_fixture_td_report()
    {
        var a = AttestationCodec.Decode(SharedFiles.ReadFixture("simulator-attestation.bin"));
        var expected = new RtmrValues(
            TestVectors.FixtureTdReport("rt_mr0"), TestVectors.FixtureTdReport("rt_mr1"),
            TestVectors.FixtureTdReport("rt_mr2"), TestVectors.FixtureTdReport("rt_mr3"));

        var check = RtmrReplay.Check(a.EventLog, expected);

        Assert.True(check.IsMatch, check.Describe());
        Assert.True(RtmrReplay.Check(a.EventLog, TestVectors.QuoteRtmrs(a.Quote)).IsMatch);
    }

    [Fact]
    public void V0_encode_of_the_decoded_fixture_is_byte_identical()
    {
        var bytes = SharedFiles.ReadFixture("simulator-attestation.bin");
        Assert.Equal(bytes, AttestationCodec.EncodeV0(AttestationCodec.Decode(bytes)));

        var lite = Convert.FromHexString(JsonDocument.Parse(File.ReadAllText(SharedFiles.Fixture("verifier-tdx-lite-attestation.json")))
            .RootElement.GetProperty("attestation").GetString()!);
        Assert.Equal(lite, AttestationCodec.EncodeV0(AttestationCodec.Decode(lite)));
    }

    [Fact]
    public void Every_truncation_of_a_small_attestation_is_a_typed_error()
    {
        var small = AttestationCodec.EncodeV0(SmallAttestation());
        Assert.Equal("x", AttestationCodec.Decode(small).RuntimeEvents[0].Name);
        for (var length = 0; length < small.Length; length++)
        {
            Assert.Throws<AttestationFormatException>(() => AttestationCodec.Decode(small.AsMemory(0, length)));
        }

        Assert.Contains("trailing", Assert.Throws<AttestationFormatException>(() => AttestationCodec.Decode(small.Append((byte)0).ToArray())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupted_lengths_variants_and_version_bytes_are_typed_errors()
    {
        var small = AttestationCodec.EncodeV0(SmallAttestation());
        var hugeQuote = (byte[])small.Clone();
        hugeQuote[2] = 0xfe; // compact 4-byte mode claiming ~1 GiB
        hugeQuote[3] = 0xff;
        Assert.Contains("quote", Assert.Throws<AttestationFormatException>(() => AttestationCodec.Decode(hugeQuote)).Message, StringComparison.Ordinal);

        var gcp = (byte[])small.Clone();
        gcp[1] = 1;
        Assert.Contains("DstackGcpTdx", Assert.Throws<AttestationFormatException>(() => AttestationCodec.Decode(gcp)).Message, StringComparison.Ordinal);

        Assert.Contains("0x07", Assert.Throws<AttestationFormatException>(() => AttestationCodec.Decode(new byte[] { 7 })).Message, StringComparison.Ordinal);

        // every single-byte corruption either decodes or fails with a typed error
        for (var i = 0; i < small.Length; i++)
        {
            var corrupted = (byte[])small.Clone();
            corrupted[i] ^= 0xA5;
            try
            {
                AttestationCodec.Decode(corrupted);
            }
            catch (AttestationFormatException)
            {
            }
        }
    }

    internal static VersionedAttestation SmallAttestation() => new()
    {
        Quote = [1, 2, 3],
        EventLog =
        [
            new TdxEvent { Imr = 0, EventType = 10, Digest = new byte[48], Event = string.Empty, EventPayload = "ACPI DATA"u8.ToArray() },
            new RuntimeEvent("x", [9]).ToTdxEvent(),
        ],
        RuntimeEvents = [new RuntimeEvent("x", [9])],
        ReportData = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray(),
        Config = "{}",
    };
}
