using System.Buffers.Binary;
using System.Text.Json;
using Dstack.Attestation.Quotes;
using Dstack.Tests;

namespace Dstack.Attestation.Tests.Quotes;

public class TdxQuoteParserTests
{
    private static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(bytes.Span);

    [Theory]
    [MemberData(nameof(FixtureQuotes.All), MemberType = typeof(FixtureQuotes))]
    public void Every_fixture_quote_parses_as_v4_td10_with_intel_qe(string name)
    {
        var raw = FixtureQuotes.Load(name);
        var quote = TdxQuote.Parse(raw);

        Assert.Equal(4, quote.Version);
        Assert.Equal(2, quote.Header.AttestationKeyType);
        Assert.Equal(0x81u, quote.Header.TeeType);
        Assert.Equal("939a7233f79c4ca9940a0db3957f0607", Hex(quote.Header.QeVendorId));
        Assert.Equal(QuoteBodyType.TdReport10, quote.BodyType);
        Assert.False(quote.Body.IsTd15);
        Assert.Equal(632, quote.SignedLength);
        Assert.Equal(raw.AsSpan(0, 632).ToArray(), quote.SignedRegion.ToArray());
        Assert.Equal(70, quote.TrailingLength);
        Assert.Equal(raw.Length - 70, quote.Length);
        Assert.Equal("0000001000000000", Hex(quote.TdAttributes));
        Assert.False(quote.IsDebug);
        Assert.Equal("e702060000000000", Hex(quote.Xfam));
        Assert.Equal(new string('0', 96), Hex(quote.Body.MrSignerSeam));
        Assert.Equal(raw.AsSpan(568, 64).ToArray(), quote.ReportData.ToArray());

        var qe = quote.Signature.QeReport;
        Assert.Equal("dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5", Hex(qe.MrSigner));
        Assert.Equal(2, qe.IsvProdId);
        Assert.Equal(6, qe.IsvSvn);
        Assert.Equal(raw.AsSpan(770, 384).ToArray(), qe.Raw.ToArray());
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), quote.Signature.QeAuthData.ToArray());
        Assert.Equal(raw.AsSpan(636, 64).ToArray(), quote.Signature.Signature.ToArray());
        Assert.Equal(raw.AsSpan(700, 64).ToArray(), quote.Signature.AttestationKey.ToArray());
        Assert.Equal(raw.AsSpan(1154, 64).ToArray(), quote.Signature.QeReportSignature.ToArray());
        Assert.Equal(0, quote.Signature.PckCertChain.Span[^1]);
        Assert.Equal(3, quote.Signature.PckCertChainPem.Split("-----BEGIN CERTIFICATE-----").Length - 1);
        Assert.EndsWith("-----END CERTIFICATE-----\n", quote.Signature.PckCertChainPem, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulator_quote_matches_the_worked_example_and_test_vectors()
    {
        var raw = FixtureQuotes.Load("simulator-attestation.bin");
        Assert.Equal(5010, raw.Length);
        var quote = TdxQuote.Parse(raw);

        Assert.Equal(4304u, BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(632)));
        Assert.Equal(4170u, BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(766)));
        Assert.Equal(3682, quote.Signature.PckCertChain.Length);
        Assert.Equal("067384", Hex(quote.Header.UserData[..3]));

        using var vectors = JsonDocument.Parse(File.ReadAllText(SharedFiles.Spec("test-vectors.json")));
        var td = vectors.RootElement.GetProperty("fixture").GetProperty("td_report");
        string Expected(string field) => td.GetProperty(field).GetString()!;
        var body = quote.Body;
        Assert.Equal(Expected("tee_tcb_svn"), Hex(body.TeeTcbSvn));
        Assert.Equal("0b010400000000000000000000000000", Hex(body.TeeTcbSvn));
        Assert.Equal(Expected("mr_seam"), Hex(body.MrSeam));
        Assert.StartsWith("7bf063280e94fb05", Hex(body.MrSeam), StringComparison.Ordinal);
        Assert.Equal(Expected("mr_signer_seam"), Hex(body.MrSignerSeam));
        Assert.Equal(Expected("seam_attributes"), Hex(body.SeamAttributes));
        Assert.Equal(Expected("td_attributes"), Hex(body.TdAttributes));
        Assert.Equal(Expected("xfam"), Hex(body.Xfam));
        Assert.Equal(Expected("mr_td"), Hex(quote.MrTd));
        Assert.Equal(Expected("mr_config_id"), Hex(quote.MrConfigId));
        Assert.Equal(Expected("mr_owner"), Hex(quote.MrOwner));
        Assert.Equal(Expected("mr_owner_config"), Hex(quote.MrOwnerConfig));
        Assert.Equal(Expected("rt_mr0"), Hex(body.Rtmr0));
        Assert.Equal(Expected("rt_mr1"), Hex(body.Rtmr1));
        Assert.Equal(Expected("rt_mr2"), Hex(body.Rtmr2));
        Assert.Equal(Expected("rt_mr3"), Hex(body.Rtmr3));
        Assert.Equal(Expected("rt_mr3"), Hex(quote.Rtmrs[3]));
        Assert.Equal(Expected("report_data"), Hex(quote.ReportData));
    }

    [Fact]
    public void Ratls_quote_has_ascii_report_data_and_zero_rtmr3()
    {
        var quote = TdxQuote.Parse(FixtureQuotes.Load("ratls-tdx_quote"));
        Assert.Equal(new string('0', 96), Hex(quote.Body.Rtmr3));
        Assert.Equal(new string('0', 96), Hex(quote.MrConfigId));
        Assert.Equal("# ~/.bashrc: executed by bash(1) for non-login shells.\n# see /us", System.Text.Encoding.ASCII.GetString(quote.ReportData.Span));
    }

    [Fact]
    public void V5_td15_quote_is_parsed_through_the_body_descriptor()
    {
        var v4 = FixtureQuotes.Load("ratls-tdx_quote");
        var v5 = BuildV5(v4, bodyType: 3);
        var quote = TdxQuote.Parse(v5);

        Assert.Equal(5, quote.Version);
        Assert.Equal(QuoteBodyType.TdReport15, quote.BodyType);
        Assert.True(quote.Body.IsTd15);
        Assert.Equal(54 + 648, quote.SignedLength);
        Assert.Equal(v4.AsSpan(568, 64).ToArray(), quote.ReportData.ToArray());
        Assert.Equal(Enumerable.Repeat((byte)0xaa, 16).ToArray(), quote.Body.TeeTcbSvn2.ToArray());
        Assert.Equal(Enumerable.Repeat((byte)0xbb, 48).ToArray(), quote.Body.MrServiceTd.ToArray());
        Assert.Equal(v4.AsSpan(700, 64).ToArray(), quote.Signature.AttestationKey.ToArray());
        Assert.Equal(0, quote.TrailingLength);
    }

    [Fact]
    public void V5_td10_body_has_no_td15_fields()
    {
        var quote = TdxQuote.Parse(BuildV5(FixtureQuotes.Load("ratls-tdx_quote"), bodyType: 2));
        Assert.Equal(QuoteBodyType.TdReport10, quote.BodyType);
        Assert.Equal(54 + 584, quote.SignedLength);
        Assert.True(quote.Body.MrServiceTd.IsEmpty);
        Assert.Equal(574, IndexOf(quote.Raw, quote.ReportData));
    }

    [Fact]
    public void Every_truncation_gives_a_typed_error()
    {
        var raw = FixtureQuotes.Load("ratls-tdx_quote");
        var structureLength = TdxQuote.Parse(raw).Length;
        for (var length = 0; length <= raw.Length; length++)
        {
            var ok = TdxQuote.TryParse(raw.AsSpan(0, length), out var quote, out var error);
            if (length >= structureLength)
            {
                Assert.True(ok, $"length {length}: {error?.Message}");
                Assert.Equal(length - structureLength, quote!.TrailingLength);
            }
            else
            {
                Assert.False(ok, $"length {length} parsed");
                Assert.IsType<QuoteFormatException>(error);
                Assert.InRange(error.Offset, 0, length);
            }
        }
    }

    [Theory]
    [InlineData(632, "signature_data")]
    [InlineData(766, "signature.certification_data")]
    [InlineData(1218, "signature.certification_data.qe_auth_data")]
    [InlineData(1222 + 32, "signature.certification_data.pck_cert_chain")]
    public void Huge_length_fields_are_rejected_without_allocating(int offset, string field)
    {
        var raw = FixtureQuotes.Load("ratls-tdx_quote");
        if (field.EndsWith("qe_auth_data", StringComparison.Ordinal))
        {
            BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(offset), 0xffff);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(offset), 0xfffffff0);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<QuoteFormatException>(() => TdxQuote.Parse(raw));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.StartsWith(field, error.Field, StringComparison.Ordinal);
        Assert.Contains("exceeds", error.Message, StringComparison.Ordinal);
        Assert.InRange(allocated, 0, 64 * 1024);
    }

    [Theory]
    [InlineData(0, (ushort)3, "header.version")]
    [InlineData(2, (ushort)3, "header.attestation_key_type")]
    [InlineData(4, (ushort)0, "header.tee_type")]
    [InlineData(764, (ushort)5, "signature.certification_data_type")]
    [InlineData(1252, (ushort)1, "signature.certification_data.pck_cert_chain type")]
    public void Unsupported_values_name_the_field(int offset, ushort value, string field)
    {
        var raw = FixtureQuotes.Load("ratls-tdx_quote");
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(offset), value);
        var error = Assert.Throws<QuoteFormatException>(() => TdxQuote.Parse(raw));
        Assert.Equal(field, error.Field);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V5_descriptor_with_wrong_size_or_type_is_rejected()
    {
        var v5 = BuildV5(FixtureQuotes.Load("ratls-tdx_quote"), bodyType: 2);
        var wrongSize = (byte[])v5.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(wrongSize.AsSpan(50), 648);
        Assert.Equal("body_descriptor.size", Assert.Throws<QuoteFormatException>(() => TdxQuote.Parse(wrongSize)).Field);
        BinaryPrimitives.WriteUInt16LittleEndian(v5.AsSpan(48), 1);
        Assert.Equal("body_descriptor.type", Assert.Throws<QuoteFormatException>(() => TdxQuote.Parse(v5)).Field);
    }

    [Fact]
    public void Oversized_input_is_rejected()
    {
        var raw = new byte[TdxQuote.MaxQuoteSize + 1];
        FixtureQuotes.Load("ratls-tdx_quote").CopyTo(raw, 0);
        Assert.Equal("quote", Assert.Throws<QuoteFormatException>(() => TdxQuote.Parse(raw)).Field);
    }

    /// <summary>Rebuilds a v4 quote as v5 (signature no longer valid; structure only).</summary>
    internal static byte[] BuildV5(byte[] v4, ushort bodyType)
    {
        var sigLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(v4.AsSpan(632));
        var bodySize = bodyType == 3 ? 648 : 584;
        using var stream = new MemoryStream();
        var header = v4.AsSpan(0, 48).ToArray();
        header[0] = 5;
        stream.Write(header);
        Span<byte> descriptor = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16LittleEndian(descriptor, bodyType);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[2..], (uint)bodySize);
        stream.Write(descriptor);
        stream.Write(v4.AsSpan(48, 584));
        if (bodyType == 3)
        {
            stream.Write(Enumerable.Repeat((byte)0xaa, 16).ToArray());
            stream.Write(Enumerable.Repeat((byte)0xbb, 48).ToArray());
        }

        stream.Write(v4.AsSpan(632, 4 + sigLength));
        return stream.ToArray();
    }

    private static int IndexOf(ReadOnlyMemory<byte> haystack, ReadOnlyMemory<byte> needle) => haystack.Span.IndexOf(needle.Span);
}
