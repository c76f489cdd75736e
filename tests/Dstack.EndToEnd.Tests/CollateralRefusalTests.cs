using Dstack.EndToEnd.Tests.Support;
using Dstack.Rpc;
using Dstack.Rpc.Kms;
using Dstack.Tests;

namespace Dstack.EndToEnd.Tests;

/// <summary>
/// The refusal matrix's collateral rows (spec dcap-collateral §7): real KMS processes fetch the caller's collateral from a
/// local PCCS over HTTP, evaluate its TCB status and refuse, with distinct reasons and without releasing anything, a TCB
/// status the policy does not allow, collateral past its validity, a revoked PCK certificate and missing collateral; a PCCS
/// outage is survived with a cached copy, and an empty cache recovers once the PCCS is back. (The real Intel quotes of
/// <c>fixtures/collateral/</c> cannot be presented over RA-TLS, since their report data binds no key of ours: their rows are in
/// <c>Dstack.Kms.Tests</c>' PccsClientTests and CollateralAuthenticationTests, at the fixtures' times.)
/// </summary>
public sealed class CollateralRefusalTests(CollateralRefusalFixture fixture) : IClassFixture<CollateralRefusalFixture>
{
    [Fact]
    public async Task Up_to_date_collateral_from_the_pccs_releases_keys_and_a_pccs_outage_is_survived_from_the_cache()
    {
        var first = await GetAppKeyAsync("uptodate");
        fixture.Pccs.SetDown("uptodate", true);
        var requests = fixture.Pccs.Requests("uptodate");
        try
        {
            var duringOutage = await GetAppKeyAsync("uptodate");

            Assert.Equal(first.K256Key.ToByteArray(), duringOutage.K256Key.ToByteArray());
        }
        finally
        {
            fixture.Pccs.SetDown("uptodate", false);
        }

        Assert.Equal(E2eApp.GatewayAppId, first.GatewayAppId);
        Assert.Equal(requests, fixture.Pccs.Requests("uptodate"));
        Assert.Contains("GetAppKey: released keys to app " + Convert.ToHexStringLower(E2eApp.AppIdOf(E2eApp.Compose)), fixture.Kms("uptodate").Output, StringComparison.Ordinal);
        Assert.Contains("TCB status UpToDate, advisories []", fixture.Kms("uptodate").Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tcb_status_the_policy_does_not_allow_is_refused_with_its_advisories()
    {
        var error = await RefusedAsync("outofdate");

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("Boot denied: TCB status is not allowed: OutOfDate (advisories INTEL-SA-00828, INTEL-SA-00837)", error.Detail);
        Assert.DoesNotContain("released keys", fixture.Kms("outofdate").Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collateral_past_its_validity_is_refused()
    {
        var error = await RefusedAsync("expired");

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.StartsWith("quote verification failed (trust root 'Mock Intel SGX Root CA'): ", error.Detail, StringComparison.Ordinal);
        Assert.Contains("expired", error.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("released keys", fixture.Kms("expired").Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pck_certificate_listed_in_the_crl_is_refused()
    {
        var error = await RefusedAsync("revoked");

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.StartsWith("quote verification failed (trust root 'Mock Intel SGX Root CA'): ", error.Detail, StringComparison.Ordinal);
        Assert.Contains("revoked", error.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("released keys", fixture.Kms("revoked").Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_collateral_a_kms_that_requires_it_refuses_and_recovers_once_the_pccs_is_back()
    {
        var error = await RefusedAsync("none");
        fixture.Pccs.SetDown("none", false);
        var keys = await GetAppKeyAsync("none");

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(
            $"collateral unavailable: no valid cached collateral for FMSPC 000000000000 (platform CA) and the PCCS fetch failed: Failed to fetch {fixture.Pccs.Root}/none/sgx/certification/v4/pckcrl?ca=platform&encoding=der: HTTP 503",
            error.Detail);
        Assert.Equal(E2eApp.GatewayAppId, keys.GatewayAppId);
    }

    private async Task<AppKeyResponse> GetAppKeyAsync(string site)
    {
        using var connection = await ConnectAsync(site);
        return await connection.Client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = E2eApp.VmConfig }, KmsConnection.Deadline());
    }

    private async Task<RpcException> RefusedAsync(string site)
    {
        using var connection = await ConnectAsync(site);
        return await Assert.ThrowsAsync<RpcException>(() => connection.Client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = E2eApp.VmConfig }, KmsConnection.Deadline()));
    }

    private async Task<KmsConnection> ConnectAsync(string site)
    {
        GetTempCaCertResponse temp;
        using (var plain = KmsNode.Connect(fixture.Kms(site)))
        {
            temp = await plain.Client.GetTempCaCertAsync(KmsConnection.Deadline());
        }

        var certificate = await RaTlsCaller.CreateCertificateAsync(fixture.Caller, E2eApp.VmConfig, tempCa: (temp.TempCaCert, temp.TempCaKey));
        return KmsNode.Connect(fixture.Kms(site), certificate);
    }
}
