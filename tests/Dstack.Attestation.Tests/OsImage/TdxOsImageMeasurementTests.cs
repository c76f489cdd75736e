using System.Formats.Cbor;
using Dstack.Attestation.OsImage;

namespace Dstack.Attestation.Tests.OsImage;

public class TdxOsImageMeasurementTests
{
    private static byte[] FixtureCbor => LiteFixture.GetQuote.Config.TdxMeasurement!.Measurement;

    [Fact]
    public void Fixture_document_decodes_to_the_documented_fields()
    {
        var document = TdxOsImageMeasurement.Decode(FixtureCbor);

        Assert.Equal(3UL, document.Version);
        Assert.Equal("786280842b7364287a3a70d96f7e309252857beb45fb1f91314a2ea863db0adc04c8431ecbf29a966405604631a5aab8", Hex.Of(document.CmdlineSha384));
        Assert.Equal("ac7e632dcf5cd2a1fe5c1f41f4d9b8219570e64ed3c61038fdbf25404e6f542ffd57f276bc5076307efaf882e6d64177", Hex.Of(document.KernelAuthenticode));
        Assert.Equal("4fe4f7710134a61d7def357add6ac50bdbfeee5032a4c100375e207216ffe42a3bd5822b24e679f91501fff795b81521", Hex.Of(document.InitrdSha384));
        Assert.Equal("pre202505", document.Ovmf);
        Assert.Equal(LiteFixture.SinglePass, Hex.Of(document.MrtdSinglePass));
        Assert.Equal(LiteFixture.MrTd, Hex.Of(document.MrtdTwoPass));
        Assert.Equal("80100904000609020b021010", Hex.Of(document.TdHob));
    }

    [Fact]
    public void Re_encoding_reproduces_the_384_fixture_bytes()
    {
        var encoded = TdxOsImageMeasurement.Decode(FixtureCbor).Encode();

        Assert.Equal(384, encoded.Length);
        Assert.Equal(Hex.Of(FixtureCbor), Hex.Of(encoded));
    }

    [Fact]
    public void Any_key_order_and_unknown_keys_are_accepted()
    {
        var w = new CborWriter();
        w.WriteStartMap(4);
        w.WriteTextString("tdvf");
        WriteTdvf(w, extra: true);
        w.WriteTextString("future");
        w.WriteStartArray(2);
        w.WriteInt32(1);
        w.WriteTextString("x");
        w.WriteEndArray();
        w.WriteTextString("image");
        WriteImage(w);
        w.WriteTextString("version");
        w.WriteUInt64(3);
        w.WriteEndMap();

        var document = TdxOsImageMeasurement.Decode(w.Encode());

        Assert.Equal([1], document.CmdlineSha384);
        Assert.Equal([2], document.KernelAuthenticode);
        Assert.Equal([3], document.InitrdSha384);
        Assert.Equal([4], document.MrtdSinglePass);
        Assert.Equal([5], document.MrtdTwoPass);
        Assert.Equal([6], document.TdHob);
    }

    [Theory]
    [InlineData(2UL)]
    [InlineData(4UL)]
    public void Other_versions_are_refused(ulong version)
    {
        var document = TdxOsImageMeasurement.Decode(FixtureCbor) with { Version = version };

        var ex = Assert.Throws<OsImageException>(() => TdxOsImageMeasurement.Decode(document.Encode()));

        Assert.Equal($"TdxOsImageMeasurement: unsupported version {version}, expected 3", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a1")]
    [InlineData("ff")]
    [InlineData("01")]
    [InlineData("a16776657273696f6e03")]
    public void Malformed_cbor_is_a_decode_error(string hex)
    {
        var ex = Assert.Throws<OsImageException>(() => TdxOsImageMeasurement.Decode(Hex.Bytes(hex)));

        Assert.StartsWith("TdxOsImageMeasurement: failed to decode CBOR: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_field_and_a_wrong_type_are_decode_errors()
    {
        var truncated = FixtureCbor[..^1];
        var withTrailing = (byte[])[.. FixtureCbor, 0x00];
        var textForBytes = (byte[])FixtureCbor.Clone();
        textForBytes[FixtureCbor.Length - 13] = 0x6c; // td_hob: bstr(12) → tstr(12)

        Assert.StartsWith("TdxOsImageMeasurement: failed to decode CBOR: ", Assert.Throws<OsImageException>(() => TdxOsImageMeasurement.Decode(truncated)).Message, StringComparison.Ordinal);
        Assert.Equal("TdxOsImageMeasurement: failed to decode CBOR: 1 trailing bytes", Assert.Throws<OsImageException>(() => TdxOsImageMeasurement.Decode(withTrailing)).Message);
        Assert.StartsWith("TdxOsImageMeasurement: failed to decode CBOR: ", Assert.Throws<OsImageException>(() => TdxOsImageMeasurement.Decode(textForBytes)).Message, StringComparison.Ordinal);

        var w = new CborWriter();
        w.WriteStartMap(2);
        w.WriteTextString("version");
        w.WriteUInt64(3);
        w.WriteTextString("image");
        WriteImage(w);
        w.WriteEndMap();
        Assert.Equal("TdxOsImageMeasurement: failed to decode CBOR: missing field `tdvf`", Assert.Throws<OsImageException>(() => TdxOsImageMeasurement.Decode(w.Encode())).Message);
    }

    private static void WriteImage(CborWriter w)
    {
        w.WriteStartMap(3);
        w.WriteTextString("initrd_sha384");
        w.WriteByteString([3]);
        w.WriteTextString("cmdline_sha384");
        w.WriteByteString([1]);
        w.WriteTextString("kernel_authenticode");
        w.WriteByteString([2]);
        w.WriteEndMap();
    }

    private static void WriteTdvf(CborWriter w, bool extra)
    {
        w.WriteStartMap(extra ? 4 : 3);
        w.WriteTextString("td_hob");
        w.WriteByteString([6]);
        w.WriteTextString("mrtd");
        w.WriteStartMap(2);
        w.WriteTextString("two_pass");
        w.WriteByteString([5]);
        w.WriteTextString("single_pass");
        w.WriteByteString([4]);
        w.WriteEndMap();
        if (extra)
        {
            w.WriteTextString("notes");
            w.WriteTextString("ignored");
        }

        w.WriteTextString("ovmf");
        w.WriteTextString("pre202505");
        w.WriteEndMap();
    }
}
