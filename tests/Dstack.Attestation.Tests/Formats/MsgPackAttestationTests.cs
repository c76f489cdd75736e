using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;

namespace Dstack.Attestation.Tests.Formats;

public class MsgPackAttestationTests
{
    [Fact]
    public void V1_map_with_a_v2_runtime_event_decodes_and_replays()
    {
        var runtime = new RuntimeEvent("compose-hash", [0xab, 0xcd], 2);
        var bytes = TestMsgPack.V1Attestation(runtime, quoteAsIntArray: true);

        var a = AttestationCodec.Decode(bytes);

        Assert.Equal(1, a.WireVersion);
        Assert.Equal([4, 0, 2, 0], a.Quote);
        var e = Assert.Single(a.EventLog);
        Assert.Equal(2, e.Version);
        Assert.Equal("9dde1673f544faa94b921825209593ddde08d0baf9cd6990175dffaf3081f1bb10311d56de189491feb33842a050ad7b", Convert.ToHexStringLower(e.Digest));
        Assert.Equal(runtime.ComputePreimage(), e.Preimage);
        Assert.Equal(2, Assert.Single(a.RuntimeEvents).Version);
        Assert.Equal("{\"vm\":1}", a.Config);
        Assert.Equal(Convert.ToHexStringLower(e.Digest), Convert.ToHexStringLower(RtmrReplay.EffectiveDigest(e)));
    }

    [Fact]
    public void V1_quote_as_bin_is_accepted_too()
        => Assert.Equal([4, 0, 2, 0], AttestationCodec.Decode(TestMsgPack.V1Attestation(new RuntimeEvent("a", []), quoteAsIntArray: false)).Quote);

    [Fact]
    public void V1_truncations_floats_and_wrong_versions_are_typed_errors()
    {
        var bytes = TestMsgPack.V1Attestation(new RuntimeEvent("a", [1]), quoteAsIntArray: true);
        for (var length = 1; length < bytes.Length; length++)
        {
            Assert.Throws<AttestationFormatException>(() => AttestationCodec.Decode(bytes.AsMemory(0, length)));
        }

        Assert.Contains("float", Assert.Throws<AttestationFormatException>(() => AttestationCodec.Decode(new byte[] { 0x81, 0xa1, (byte)'v', 0xca, 0, 0, 0, 0 })).Message, StringComparison.Ordinal);
        var w = new TestMsgPack();
        w.Map(1).Str("version").Int(2);
        Assert.Contains("expected 1", Assert.Throws<AttestationFormatException>(() => AttestationCodec.Decode(w.ToArray())).Message, StringComparison.Ordinal);
    }
}
