using Dstack.Tests;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.Quotes;
using Dstack.Attestation.Simulation;

namespace Dstack.Attestation.Tests.Simulation;

public sealed class MockQuoteTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly MockDcapPki _pki = new(Seed(1));

    public void Dispose() => _pki.Dispose();

    internal static byte[] Seed(byte value) => Enumerable.Repeat(value, 32).ToArray();

    private QuoteVerifier Verifier(QuoteVerificationOptions? options = null) => new(_pki.TrustRoot, new FixedTimeProvider(Now), options);

    [Fact]
    public void Mock_quote_carries_the_td_report_fields()
    {
        var report = TdReports.Create();
        var quote = TdxQuote.Parse(new MockQuotingEnclave(_pki).CreateQuote(report));

        Assert.Equal(4, quote.Version);
        Assert.Equal(1, quote.Header.Reserved1);
        Assert.Equal(632, quote.SignedLength);
        Assert.Equal(0, quote.TrailingLength);
        Assert.Equal(report.AsSpan(128, 64).ToArray(), quote.ReportData.ToArray());
        Assert.Equal(report.AsSpan(264, 16).ToArray(), quote.Body.TeeTcbSvn.ToArray());
        Assert.Equal(report.AsSpan(280, 48).ToArray(), quote.Body.MrSeam.ToArray());
        Assert.Equal("0000001000000000", Convert.ToHexStringLower(quote.TdAttributes.Span));
        Assert.Equal(report.AsSpan(520, 8).ToArray(), quote.Xfam.ToArray());
        Assert.Equal(report.AsSpan(528, 48).ToArray(), quote.MrTd.ToArray());
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(report.AsSpan(720 + (48 * i), 48).ToArray(), quote.Rtmrs[i].ToArray());
        }

        var qe = quote.Signature.QeReport;
        Assert.Equal(Enumerable.Repeat((byte)0x44, 32).ToArray(), qe.MrSigner.ToArray());
        Assert.Equal(1, qe.IsvProdId);
        Assert.Equal(1, qe.IsvSvn);
        Assert.Equal(new byte[32], quote.Signature.QeAuthData.ToArray());
        Assert.Contains("CN=Mock Intel SGX PCK Certificate", _pki.PckCertificate.Subject, StringComparison.Ordinal);
        Assert.Equal(0, quote.Signature.PckCertChain.Span[^1]);
    }

    [Fact]
    public void Mock_quote_verifies_under_the_mock_root_only()
    {
        var raw = new MockQuotingEnclave(_pki).CreateQuote(TdReports.Create());

        var result = Verifier().Verify(raw);
        Assert.True(result.IsValid, string.Join("; ", result.Failures));
        Assert.Equal("000000000000", result.Fmspc);
        Assert.Equal(MockDcapPki.RootName, result.TrustRootName);
        Assert.Equal(_pki.TrustRoot.PublicKeyFingerprint, result.TrustRootFingerprint);

        var intel = new QuoteVerifier(TrustRoot.IntelSgxRootCa, new FixedTimeProvider(Now)).Verify(raw);
        Assert.False(intel.IsValid);
        Assert.Contains(intel.Failures, f => f.Contains("does not end at the trust root 'Intel SGX Root CA'", StringComparison.Ordinal));
    }

    [Fact]
    public void Mock_quote_signature_covers_the_signed_region()
    {
        var raw = new MockQuotingEnclave(_pki).CreateQuote(TdReports.Create());
        raw[600] ^= 1;
        Assert.Equal(["quote signature does not verify with the attestation key"], Verifier().Verify(raw).Failures);
    }

    [Fact]
    public void Same_seed_gives_the_same_root_key_and_different_seeds_differ()
    {
        using var again = new MockDcapPki(Seed(1));
        using var other = new MockDcapPki(Seed(2));
        Assert.Equal(_pki.TrustRoot.SubjectPublicKeyInfo.ToArray(), again.TrustRoot.SubjectPublicKeyInfo.ToArray());
        Assert.Equal(_pki.TrustRoot.PublicKeyFingerprint, again.TrustRoot.PublicKeyFingerprint);
        Assert.Equal(_pki.PckCertificate.PublicKey.ExportSubjectPublicKeyInfo(), again.PckCertificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.NotEqual(_pki.TrustRoot.PublicKeyFingerprint, other.TrustRoot.PublicKeyFingerprint);

        // a quote of one seed's PKI is not accepted under another seed's root
        var raw = new MockQuotingEnclave(other).CreateQuote(TdReports.Create());
        Assert.False(Verifier().Verify(raw).IsValid);
    }

    [Fact]
    public void Scalar_derivation_follows_the_spec_formula()
    {
        var seed = Seed(7);
        var expected = System.Security.Cryptography.SHA256.HashData([.. "dstack-mock-p256-v1"u8, .. seed, .. "tdx-root"u8, 0, 0, 0, 0]);
        Assert.Equal(expected, MockDcapPki.DeriveScalar(seed, "tdx-root"));
        Assert.NotEqual(expected, MockDcapPki.DeriveScalar(seed, "tdx-pck"));
    }

    [Fact]
    public void Certificates_follow_the_mock_profile()
    {
        Assert.Equal("CN=Mock Intel SGX Root CA", _pki.RootCertificate.Subject);
        Assert.Equal("CN=Mock Intel SGX PCK Platform CA", _pki.PckCaCertificate.Subject);
        Assert.Equal("2A", _pki.PckCertificate.SerialNumber);
        Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), _pki.PckCertificate.NotBefore.ToUniversalTime());
        Assert.Equal(new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc), _pki.PckCertificate.NotAfter.ToUniversalTime());
        var san = _pki.PckCertificate.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["mock.dstack.invalid"], san.EnumerateDnsNames());
        var pck = PckExtension.Parse(_pki.PckCertificate.Extensions[PckExtension.Oid]!.RawData);
        Assert.Equal(new byte[6], pck.Fmspc.ToArray());
        Assert.Equal(0, pck.PceSvn);
        Assert.All(pck.SgxTcbComponents, svn => Assert.Equal(0, svn));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1023)]
    [InlineData(1025)]
    public void Wrong_td_report_length_is_an_argument_error(int length)
    {
        var error = Assert.Throws<ArgumentException>(() => new MockQuotingEnclave(_pki).CreateQuote(new byte[length]));
        Assert.Contains("1024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_seed_length_is_an_argument_error() =>
        Assert.Throws<ArgumentException>(() => new MockDcapPki(new byte[31]));

    [Fact]
    public void Debug_td_is_reported_and_rejected_by_default_policy()
    {
        var raw = new MockQuotingEnclave(_pki).CreateQuote(TdReports.Create(debug: true));

        var strict = Verifier().Verify(raw);
        Assert.True(strict.IsDebug);
        Assert.Equal(["TD is in DEBUG mode (TDATTRIBUTES bit 0 set)"], strict.Failures);

        var lenient = Verifier(new QuoteVerificationOptions { RejectDebugTd = false }).Verify(raw);
        Assert.True(lenient.IsValid);
        Assert.True(lenient.IsDebug);
    }

    [Fact]
    public void Non_zero_mrsignerseam_is_a_failure()
    {
        var report = TdReports.Create();
        report[328] = 1;
        var result = Verifier().Verify(new MockQuotingEnclave(_pki).CreateQuote(report));
        Assert.Contains(result.Failures, f => f.StartsWith("MRSIGNERSEAM is not zero", StringComparison.Ordinal));
    }
}
