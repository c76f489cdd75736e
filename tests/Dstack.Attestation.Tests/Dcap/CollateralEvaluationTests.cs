using Dstack.Tests;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.Simulation;
using Dstack.Attestation.Tests.Simulation;

namespace Dstack.Attestation.Tests.Dcap;

public sealed class CollateralEvaluationTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly MockDcapPki _pki = new(MockQuoteTests.Seed(9));
    private readonly byte[] _quote;

    public CollateralEvaluationTests() => _quote = new MockQuotingEnclave(_pki).CreateQuote(TdReports.Create());

    public void Dispose() => _pki.Dispose();

    private QuoteVerificationResult Verify(DcapCollateral? collateral, QuoteVerificationOptions? options = null) =>
        new QuoteVerifier(_pki.TrustRoot, new FixedTimeProvider(Now), options).Verify(_quote, collateral);

    [Fact]
    public void Up_to_date_collateral_gives_up_to_date()
    {
        var result = Verify(_pki.CreateCollateral(Now));
        Assert.True(result.IsValid, string.Join("; ", result.Failures));
        Assert.Equal(TcbStatuses.UpToDate, result.TcbStatus);
        Assert.Empty(result.AdvisoryIds);
    }

    [Theory]
    [InlineData(TcbStatuses.OutOfDate)]
    [InlineData(TcbStatuses.SWHardeningNeeded)]
    [InlineData(TcbStatuses.ConfigurationAndSWHardeningNeeded)]
    public void Chosen_status_and_advisories_are_reported(string status)
    {
        var result = Verify(_pki.CreateCollateral(Now, status, ["INTEL-SA-00837", "INTEL-SA-00615"]));
        Assert.True(result.IsValid, string.Join("; ", result.Failures));
        Assert.Equal(status, result.TcbStatus);
        Assert.Equal(["INTEL-SA-00837", "INTEL-SA-00615"], result.AdvisoryIds);
    }

    [Fact]
    public void No_collateral_gives_unknown_and_can_be_required()
    {
        Assert.Equal(TcbStatuses.Unknown, Verify(null).TcbStatus);
        Assert.True(Verify(null).IsValid);
        var strict = Verify(null, new QuoteVerificationOptions { RequireCollateral = true });
        Assert.Equal(["collateral is required by policy but none was given"], strict.Failures);
    }

    [Fact]
    public void Tampered_tcb_info_signature_fails()
    {
        var collateral = _pki.CreateCollateral(Now, TcbStatuses.OutOfDate);
        var tampered = new DcapCollateral
        {
            TcbInfoJson = collateral.TcbInfoJson.Replace("\"OutOfDate\"", "\"UpToDate\"", StringComparison.Ordinal),
            QeIdentityJson = collateral.QeIdentityJson,
            TcbSigningChainPem = collateral.TcbSigningChainPem,
        };
        var result = Verify(tampered);
        Assert.False(result.IsValid);
        Assert.Contains("TCB info signature does not verify with the TCB signing certificate", result.Failures);
        Assert.Equal(TcbStatuses.Unknown, result.TcbStatus);
    }

    [Fact]
    public void Collateral_signed_by_another_pki_fails()
    {
        using var other = new MockDcapPki(MockQuoteTests.Seed(10));
        var result = Verify(other.CreateCollateral(Now));
        Assert.False(result.IsValid);
        Assert.Contains(result.Failures, f => f.StartsWith("TCB signing chain: chain does not end at the trust root", StringComparison.Ordinal));
    }

    [Fact]
    public void Expired_collateral_fails()
    {
        var result = Verify(_pki.CreateCollateral(Now.AddDays(-60)));
        Assert.False(result.IsValid);
        Assert.Contains(result.Failures, f => f.StartsWith("TCB info has expired (nextUpdate", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.StartsWith("QE identity has expired", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.StartsWith("PCK CRL has expired", StringComparison.Ordinal));
    }

    [Fact]
    public void Revoked_pck_certificate_fails_with_revoked_status()
    {
        var result = Verify(_pki.CreateCollateral(Now, revokePckCertificate: true));
        Assert.False(result.IsValid);
        Assert.Equal(TcbStatuses.Revoked, result.TcbStatus);
        Assert.Contains(result.Failures, f => f.Contains("is revoked by the PCK CRL", StringComparison.Ordinal));
    }

    [Fact]
    public void Revoked_tcb_level_fails()
    {
        var result = Verify(_pki.CreateCollateral(Now, TcbStatuses.Revoked));
        Assert.Equal(TcbStatuses.Revoked, result.TcbStatus);
        Assert.Contains("the platform TCB level is revoked", result.Failures);
    }

    [Fact]
    public void Crl_from_the_wrong_issuer_fails()
    {
        var collateral = _pki.CreateCollateral(Now);
        var swapped = new DcapCollateral
        {
            TcbInfoJson = collateral.TcbInfoJson,
            QeIdentityJson = collateral.QeIdentityJson,
            TcbSigningChainPem = collateral.TcbSigningChainPem,
            PckCrl = collateral.RootCaCrl,
        };
        var result = Verify(swapped);
        Assert.Contains("PCK CRL is not issued by the certificate's issuer", result.Failures);
        Assert.Contains("PCK CRL signature does not verify with its issuer's key", result.Failures);
    }

    [Fact]
    public void Edited_fmspc_breaks_the_tcb_info_signature()
    {
        var collateral = _pki.CreateCollateral(Now);
        var result = Verify(new DcapCollateral
        {
            TcbInfoJson = collateral.TcbInfoJson.Replace("\"fmspc\":\"000000000000\"", "\"fmspc\":\"b0c06f000000\"", StringComparison.Ordinal),
            QeIdentityJson = collateral.QeIdentityJson,
            TcbSigningChainPem = collateral.TcbSigningChainPem,
        });
        Assert.Contains("TCB info signature does not verify with the TCB signing certificate", result.Failures);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("{}", "TCB info.tcbInfo: missing")]
    [InlineData("{\"tcbInfo\":{\"id\":\"SGX\"},\"signature\":\"" + Sig + "\"}", "tcbInfo.id: expected \"TDX\"")]
    [InlineData("{\"tcbInfo\":{\"id\":\"TDX\",\"version\":3},\"signature\":\"zz\"}", "TCB info.signature: expected 128 hex digits")]
    [InlineData("{\"tcbInfo\":{\"id\":\"TDX\",\"version\":\"3\"},\"signature\":\"" + Sig + "\"}", "tcbInfo.version: expected a non-negative integer")]
    [InlineData("{\"tcbInfo\":{\"id\":\"TDX\",\"version\":3,\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\":[]}}]},\"signature\":\"" + Sig + "\"}", "tcbInfo.tcbLevels[0].tcb.sgxtcbcomponents: expected 16 components")]
    public void Malformed_tcb_info_names_the_field(string json, string expected)
    {
        var collateral = _pki.CreateCollateral(Now);
        var result = Verify(new DcapCollateral { TcbInfoJson = json, QeIdentityJson = collateral.QeIdentityJson, TcbSigningChainPem = collateral.TcbSigningChainPem });
        var failure = Assert.Single(result.Failures);
        Assert.StartsWith("collateral is malformed: ", failure, StringComparison.Ordinal);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_crl_is_a_clear_failure()
    {
        var collateral = _pki.CreateCollateral(Now);
        var result = Verify(new DcapCollateral
        {
            TcbInfoJson = collateral.TcbInfoJson,
            QeIdentityJson = collateral.QeIdentityJson,
            TcbSigningChainPem = collateral.TcbSigningChainPem,
            PckCrl = new byte[] { 0x30, 0x03, 0x02, 0x01 },
        });
        Assert.Contains(result.Failures, f => f.StartsWith("collateral is malformed: PCK CRL", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(TcbStatuses.UpToDate, TcbStatuses.OutOfDate, TcbStatuses.OutOfDate)]
    [InlineData(TcbStatuses.ConfigurationNeeded, TcbStatuses.OutOfDate, TcbStatuses.OutOfDateConfigurationNeeded)]
    [InlineData(TcbStatuses.SWHardeningNeeded, TcbStatuses.UpToDate, TcbStatuses.SWHardeningNeeded)]
    [InlineData(TcbStatuses.UpToDate, TcbStatuses.Revoked, TcbStatuses.Revoked)]
    public void Platform_and_qe_status_are_combined(string tcb, string qe, string expected) =>
        Assert.Equal(expected, CollateralEvaluator.Combine(tcb, qe));

    private const string Sig = "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";
}
