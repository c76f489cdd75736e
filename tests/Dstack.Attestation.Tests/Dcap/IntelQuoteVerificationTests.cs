using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.Quotes;
using Dstack.Attestation.Tests.Quotes;

namespace Dstack.Attestation.Tests.Dcap;

public class IntelQuoteVerificationTests
{
    private static readonly QuoteVerifier Verifier = new(TrustRoot.IntelSgxRootCa, new FixedTimeProvider(FixtureQuotes.VerificationTime));

    [Fact]
    public void Embedded_intel_root_has_the_pinned_hash_and_key()
    {
        var root = TrustRoot.IntelSgxRootCa;
        Assert.Equal("Intel SGX Root CA", root.Name);
        Assert.Equal("44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3", Convert.ToHexStringLower(SHA256.HashData(root.Certificate!.RawData)));
        using var key = root.Certificate.GetECDsaPublicKey()!;
        var q = key.ExportParameters(false).Q;
        Assert.Equal(
            "040ba9c4c0c0c86193a3fe23d6b02cda10a8bbd4e88e48b4458561a36e705525f567918e2edc88e40d860bd0cc4ee26aacc988e505a953558c453f6b0904ae7394",
            "04" + Convert.ToHexStringLower(q.X!) + Convert.ToHexStringLower(q.Y!));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(root.SubjectPublicKeyInfo.Span)), root.PublicKeyFingerprint);
    }

    [Theory]
    [MemberData(nameof(FixtureQuotes.All), MemberType = typeof(FixtureQuotes))]
    public void Every_fixture_quote_verifies_against_the_intel_root(string name)
    {
        var result = Verifier.Verify(FixtureQuotes.Load(name));

        Assert.True(result.IsValid, string.Join("; ", result.Failures));
        // spec §2.5/§7 give b0c06f000000 for the first two; the verifier captures come from another platform (read from the PCK DER)
        var expectedFmspc = name is "ratls-tdx_quote" or "simulator-attestation.bin" ? "b0c06f000000" : "90c06f000000";
        Assert.Equal(expectedFmspc, result.Fmspc);
        Assert.Equal("0000", Convert.ToHexStringLower(result.Pck!.PceId.Span));
        Assert.Equal(16, result.Pck.SgxTcbComponents.Count);
        Assert.Equal(result.Pck.SgxTcbComponents, result.Pck.CpuSvn.ToArray().Select(b => (int)b));
        Assert.Equal(TcbStatuses.Unknown, result.TcbStatus);
        Assert.Empty(result.AdvisoryIds);
        Assert.False(result.IsDebug);
        Assert.Equal("Intel SGX Root CA", result.TrustRootName);
        Assert.Equal(TrustRoot.IntelSgxRootCa.PublicKeyFingerprint, result.TrustRootFingerprint);
        Assert.Equal(FixtureQuotes.VerificationTime, result.VerifiedAt);
    }

    [Theory]
    [InlineData(0)]     // header version
    [InlineData(20)]    // QE vendor id
    [InlineData(40)]    // user data
    [InlineData(48)]    // TEE_TCB_SVN
    [InlineData(170)]   // TDATTRIBUTES (not the debug bit)
    [InlineData(200)]   // MRTD
    [InlineData(400)]   // RTMR0
    [InlineData(540)]   // RTMR3
    [InlineData(600)]   // REPORTDATA
    [InlineData(631)]   // last signed byte
    [InlineData(640)]   // quote signature
    [InlineData(730)]   // attestation key
    [InlineData(800)]   // QE report
    [InlineData(1100)]  // QE report REPORTDATA
    [InlineData(1160)]  // QE report signature
    [InlineData(1230)]  // QE auth data
    public void Flipping_a_covered_byte_fails_verification(int offset)
    {
        var raw = FixtureQuotes.Load("ratls-tdx_quote");
        raw[offset] ^= 0x02;
        var result = Verifier.Verify(raw);
        Assert.False(result.IsValid);
        Assert.NotEmpty(result.Failures);
    }

    [Fact]
    public void Flipping_each_signed_region_byte_fails()
    {
        var raw = FixtureQuotes.Load("simulator-attestation.bin");
        for (var offset = 0; offset < 632; offset += 7)
        {
            var copy = (byte[])raw.Clone();
            copy[offset] ^= 0x80;
            Assert.False(Verifier.Verify(copy).IsValid, $"offset {offset}");
        }
    }

    [Fact]
    public void Flipping_trailing_padding_is_harmless()
    {
        var raw = FixtureQuotes.Load("ratls-tdx_quote");
        raw[^1] ^= 0xff;
        raw[^70] ^= 0x01;
        Assert.True(Verifier.Verify(raw).IsValid);
    }

    [Fact]
    public void Tampered_quote_signature_names_the_reason()
    {
        var raw = FixtureQuotes.Load("ratls-tdx_quote");
        raw[600] ^= 1;
        var result = Verifier.Verify(raw);
        Assert.Equal(["quote signature does not verify with the attestation key"], result.Failures);
    }

    [Fact]
    public void Tampered_auth_data_breaks_the_qe_binding()
    {
        var raw = FixtureQuotes.Load("ratls-tdx_quote");
        raw[1220] ^= 1;
        var result = Verifier.Verify(raw);
        Assert.Contains(result.Failures, f => f.StartsWith("QE report data does not bind", StringComparison.Ordinal));
    }

    [Fact]
    public void Pck_validity_uses_the_injected_clock()
    {
        var early = new QuoteVerifier(TrustRoot.IntelSgxRootCa, new FixedTimeProvider(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        var result = early.Verify(FixtureQuotes.Load("ratls-tdx_quote"));
        Assert.False(result.IsValid);
        Assert.Contains(result.Failures, f => f.Contains("is not valid at", StringComparison.Ordinal) && f.Contains("PCK Certificate", StringComparison.Ordinal));
    }

    [Fact]
    public void Chain_with_replaced_root_is_rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Intel SGX Root CA", key, HashAlgorithmName.SHA256);
        using var other = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var verifier = new QuoteVerifier(TrustRoot.FromCertificate("other", other), new FixedTimeProvider(FixtureQuotes.VerificationTime));
        var result = verifier.Verify(FixtureQuotes.Load("ratls-tdx_quote"));
        Assert.False(result.IsValid);
        Assert.Contains(result.Failures, f => f.Contains("does not end at the trust root 'other'", StringComparison.Ordinal));
    }

    [Fact]
    public void Malformed_quote_gives_a_failed_result()
    {
        var result = Verifier.Verify(new byte[100]);
        Assert.False(result.IsValid);
        Assert.Null(result.Quote);
        Assert.StartsWith("malformed quote: ", result.Failures[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_fails_cleanly_or_verifies()
    {
        var raw = FixtureQuotes.Load("verifier-quote-report.json");
        var structureLength = TdxQuote.Parse(raw).Length;
        for (var length = 0; length <= raw.Length; length += 3)
        {
            var result = Verifier.Verify(raw.AsSpan(0, length));
            Assert.Equal(length >= structureLength, result.IsValid);
        }
    }
}
