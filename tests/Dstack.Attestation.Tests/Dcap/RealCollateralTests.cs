using System.Text.Json;
using Dstack.Attestation.Dcap;
using Dstack.Tests;

namespace Dstack.Attestation.Tests.Dcap;

/// <summary>Intel-signed quotes and collateral of <c>fixtures/collateral/</c> (spec dcap-collateral §6) at the times given there.</summary>
public class RealCollateralTests
{
    internal const long UpToDateNow = 1752919234;   // 2025-07-19T10:00:34Z
    internal const long OutdatedNow = 1774003274;   // 2026-03-20T10:41:14Z

    internal static byte[] Quote(string name) => SharedFiles.ReadFixture("collateral/" + name);

    internal static string CollateralJson(string name) => File.ReadAllText(SharedFiles.Fixture($"collateral/{name}_collateral.json"));

    internal static DcapCollateral Collateral(string name) => DcapCollateral.FromJson(CollateralJson(name));

    private static QuoteVerificationResult Verify(string quote, DcapCollateral collateral, long now) =>
        new QuoteVerifier(TrustRoot.IntelSgxRootCa, new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(now))).Verify(Quote(quote), collateral);

    [Fact]
    public void Up_to_date_quote_is_up_to_date_with_no_advisories()
    {
        var result = Verify("tdx_quote", Collateral("tdx_quote"), UpToDateNow);

        Assert.True(result.IsValid, string.Join("; ", result.Failures));
        Assert.Equal(TcbStatuses.UpToDate, result.TcbStatus);
        Assert.Empty(result.AdvisoryIds);
        var tcb = result.Tcb!;
        Assert.Equal(TcbStatuses.UpToDate, tcb.PlatformStatus);
        Assert.Equal(TcbStatuses.UpToDate, tcb.QeStatus);
        Assert.Equal("B0C06F000000", tcb.Fmspc);
        Assert.Equal("platform", tcb.CaType);
        Assert.Equal(11, tcb.PceSvn);
        Assert.Equal("03030202040100050000000000000000", tcb.CpuSvn);
        Assert.Equal("811dca2a26b952e85bb6448b097ba4fd", tcb.Ppid);
        Assert.Equal(0, tcb.MatchedTcbLevel);
        Assert.Equal("TDX_01", tcb.TdxModuleIdentityId);
        Assert.Equal(17, tcb.TcbEvaluationDataNumber);
        Assert.Equal(17, tcb.QeIdentityEvaluationDataNumber);
        Assert.Equal(DateTimeOffset.Parse("2025-06-19T10:32:27Z", System.Globalization.CultureInfo.InvariantCulture), tcb.ValidFrom);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(UpToDateNow + 1), tcb.ValidUntil); // the PCK CRL's nextUpdate
    }

    [Fact]
    public void Outdated_quote_has_no_matching_tcb_level()
    {
        var result = Verify("tdx_quote_outdated", Collateral("tdx_quote_outdated"), OutdatedNow);

        Assert.False(result.IsValid);
        Assert.Equal(["No matching TCB level found"], result.Failures);
        Assert.Equal(TcbStatuses.Unknown, result.TcbStatus);
        Assert.Empty(result.AdvisoryIds);
        Assert.Null(result.Tcb);
    }

    [Theory]
    [InlineData("tdx_quote", UpToDateNow)]
    [InlineData("tdx_quote_outdated", OutdatedNow)]
    public void One_second_past_the_window_the_pck_crl_has_expired(string name, long now)
    {
        // the PCK CRL ends first (nextUpdate = now + 1) and CRLs are strict: at nextUpdate the PCK chain has no valid CRL (step 5)
        var result = Verify(name, Collateral(name), now + 1);

        var expiry = DateTimeOffset.FromUnixTimeSeconds(now + 1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(
            [$"Failed to verify certificate chain: the CRL of 'C=US, S=CA, L=Santa Clara, O=Intel Corporation, CN=Intel SGX PCK Platform CA' expired at {expiry}"],
            result.Failures);
        Assert.Null(result.Tcb);
    }

    [Fact]
    public void Before_the_qe_identity_is_issued_it_is_in_the_future()
    {
        var lo = DateTimeOffset.Parse("2025-06-19T10:32:27Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        Assert.Equal(["QE Identity issue date is in the future"], Verify("tdx_quote", Collateral("tdx_quote"), lo - 1).Failures);
        Assert.True(Verify("tdx_quote", Collateral("tdx_quote"), lo).IsValid);
    }

    [Fact]
    public void After_the_tcb_info_expires_step_3_fires_first()
    {
        var next = DateTimeOffset.Parse("2025-07-19T10:16:03Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        Assert.Equal(["TCBInfo expired"], Verify("tdx_quote", Collateral("tdx_quote"), next + 1).Failures);

        // nextUpdate itself is still inside the TCB info window (inclusive): the next failing check is the PCK CRL of step 5
        Assert.StartsWith("Failed to verify certificate chain: the CRL of", Verify("tdx_quote", Collateral("tdx_quote"), next).Failures.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Tampered_tcb_info_byte_breaks_its_signature()
    {
        var collateral = Collateral("tdx_quote");
        var tampered = Copy(collateral, tcbInfo: collateral.TcbInfo.Replace("\"tcbEvaluationDataNumber\":17", "\"tcbEvaluationDataNumber\":18", StringComparison.Ordinal));
        Assert.NotEqual(collateral.TcbInfo, tampered.TcbInfo);

        Assert.Equal(["Signature is invalid for tcb_info in quote_collateral"], Verify("tdx_quote", tampered, UpToDateNow).Failures);
    }

    [Fact]
    public void Tampered_qe_identity_byte_breaks_its_signature()
    {
        var collateral = Collateral("tdx_quote");
        var tampered = Copy(collateral, qeIdentity: collateral.QeIdentity.Replace("\"isvprodid\":2", "\"isvprodid\":3", StringComparison.Ordinal));
        Assert.NotEqual(collateral.QeIdentity, tampered.QeIdentity);

        Assert.Equal(["Signature is invalid for qe_identity in quote_collateral"], Verify("tdx_quote", tampered, UpToDateNow).Failures);
    }

    [Fact]
    public void Swapped_collateral_is_refused_by_the_first_check_that_sees_it()
    {
        // the other set's TCB info is not yet issued at this quote's time: step 3 fires before the FMSPC comparison
        Assert.Equal(["TCBInfo issue date is in the future"], Verify("tdx_quote", Collateral("tdx_quote_outdated"), UpToDateNow).Failures);

        // the other way round, the older set expired long ago
        Assert.Equal(["TCBInfo expired"], Verify("tdx_quote_outdated", Collateral("tdx_quote"), OutdatedNow).Failures);
    }

    [Fact]
    public void Collateral_of_another_platform_gives_fmspc_mismatch()
    {
        // tdx_quote (FMSPC B0C06F…) with the outdated set (FMSPC 90C06F…) at a time that set is valid: steps 1–8 pass
        var result = new QuoteVerifier(TrustRoot.IntelSgxRootCa, new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(OutdatedNow)))
            .Verify(Quote("tdx_quote"), Collateral("tdx_quote_outdated"));
        Assert.Equal(["Fmspc mismatch"], result.Failures);
    }

    [Fact]
    public void Collateral_json_round_trips_and_keeps_the_signed_text()
    {
        var json = CollateralJson("tdx_quote");
        var collateral = DcapCollateral.FromJson(json);
        using var original = JsonDocument.Parse(json);
        Assert.Equal(original.RootElement.GetProperty("tcb_info").GetString(), collateral.TcbInfo);
        Assert.Equal(2934, collateral.TcbInfo.Length);
        Assert.Equal(461, collateral.QeIdentity.Length);
        Assert.Equal(5326 / 2, collateral.PckCrl.Length);
        Assert.Equal(64, collateral.TcbInfoSignature.Length);
        Assert.Null(collateral.PckCertificateChain);

        var again = DcapCollateral.FromJson(collateral.ToJson());
        Assert.Equal(collateral.TcbInfo, again.TcbInfo);
        Assert.Equal(collateral.QeIdentity, again.QeIdentity);
        Assert.Equal(collateral.PckCrl.ToArray(), again.PckCrl.ToArray());
        Assert.Equal(collateral.RootCaCrl.ToArray(), again.RootCaCrl.ToArray());
        Assert.Equal(collateral.TcbInfoIssuerChain, again.TcbInfoIssuerChain);
        Assert.Equal(collateral.PckCrlIssuerChain, again.PckCrlIssuerChain);
        using var written = JsonDocument.Parse(collateral.ToJson());
        Assert.Equal(
            ["pck_crl_issuer_chain", "root_ca_crl", "pck_crl", "tcb_info_issuer_chain", "tcb_info", "tcb_info_signature", "qe_identity_issuer_chain", "qe_identity", "qe_identity_signature"],
            written.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(original.RootElement.GetProperty("pck_crl").GetString(), written.RootElement.GetProperty("pck_crl").GetString());
        Assert.True(Verify("tdx_quote", again, UpToDateNow).IsValid);
    }

    [Theory]
    [InlineData("tcb_info", "collateral.tcb_info: missing")]
    [InlineData("root_ca_crl", "collateral.root_ca_crl: missing")]
    [InlineData("tcb_info_signature", "collateral.tcb_info_signature: missing")]
    public void Missing_keys_are_named(string key, string expected)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(CollateralJson("tdx_quote"))!.AsObject();
        node.Remove(key);
        var e = Assert.Throws<FormatException>(() => DcapCollateral.FromJson(node.ToJsonString()));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void Bad_values_are_named()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(CollateralJson("tdx_quote"))!.AsObject();
        node["tcb_info_signature"] = "abcd";
        Assert.Equal("collateral.tcb_info_signature: expected 128 hex digits, got 4", Assert.Throws<FormatException>(() => DcapCollateral.FromJson(node.ToJsonString())).Message);
        node = System.Text.Json.Nodes.JsonNode.Parse(CollateralJson("tdx_quote"))!.AsObject();
        node["pck_crl"] = "zz";
        Assert.Equal("collateral.pck_crl: not hex", Assert.Throws<FormatException>(() => DcapCollateral.FromJson(node.ToJsonString())).Message);
        node = System.Text.Json.Nodes.JsonNode.Parse(CollateralJson("tdx_quote"))!.AsObject();
        node["tcb_info_issuer_chain"] = "nope";
        Assert.Equal("collateral.tcb_info_issuer_chain: expected PEM certificates", Assert.Throws<FormatException>(() => DcapCollateral.FromJson(node.ToJsonString())).Message);
    }

    internal static DcapCollateral Copy(
        DcapCollateral c,
        string? tcbInfo = null,
        ReadOnlyMemory<byte>? tcbInfoSignature = null,
        string? qeIdentity = null,
        ReadOnlyMemory<byte>? pckCrl = null,
        ReadOnlyMemory<byte>? rootCaCrl = null,
        string? tcbInfoIssuerChain = null) => new()
        {
            PckCrlIssuerChain = c.PckCrlIssuerChain,
            RootCaCrl = rootCaCrl ?? c.RootCaCrl,
            PckCrl = pckCrl ?? c.PckCrl,
            TcbInfoIssuerChain = tcbInfoIssuerChain ?? c.TcbInfoIssuerChain,
            TcbInfo = tcbInfo ?? c.TcbInfo,
            TcbInfoSignature = tcbInfoSignature ?? c.TcbInfoSignature,
            QeIdentityIssuerChain = c.QeIdentityIssuerChain,
            QeIdentity = qeIdentity ?? c.QeIdentity,
            QeIdentitySignature = c.QeIdentitySignature,
            PckCertificateChain = c.PckCertificateChain,
        };
}
