using Dstack.Attestation.Dcap;
using Dstack.Attestation.Dcap.Pccs;
using Dstack.Kms.Authentication;
using Dstack.Kms.Collateral;
using Dstack.Tests.Pccs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dstack.Kms.Tests.Collateral;

/// <summary>The caller check with collateral from a PCCS: status and advisories into BootInfo; no collateral while required is a refusal.</summary>
public sealed class CollateralAuthenticationTests : IAsyncLifetime, IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private PccsServer _server = null!;
    private KmsTestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _server = await PccsServer.StartAsync();
        _bed = await KmsTestBed.CreateAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        _bed?.Dispose();
        _http.Dispose();
    }

    [Fact]
    public async Task Status_and_advisories_of_the_pccs_collateral_go_into_the_boot_info()
    {
        var pki = _bed.Anchor.Pki!;
        var url = _server.Serve("hardening", () => pki.CreateCollateral(DateTimeOffset.UtcNow, TcbStatuses.SWHardeningNeeded, ["INTEL-SA-00615"]));

        var result = await Authenticator(url, required: true).AuthenticateCertificateAsync(await Certificate(), "", CancellationToken.None);

        Assert.True(result.IsSuccess, result.Refusal?.Reason);
        Assert.Equal(TcbStatuses.SWHardeningNeeded, result.Value.BootInfo.TcbStatus);
        Assert.Equal(["INTEL-SA-00615"], result.Value.BootInfo.AdvisoryIds);
    }

    [Fact]
    public async Task Without_collateral_a_required_check_refuses_and_an_optional_one_reports_unknown()
    {
        var url = _server.Serve("empty", () => null);
        using var certificate = await Certificate();

        var required = await Authenticator(url, required: true).AuthenticateCertificateAsync(certificate, "", CancellationToken.None);
        var optional = await Authenticator(url, required: false).AuthenticateCertificateAsync(certificate, "", CancellationToken.None);

        Assert.False(required.IsSuccess);
        Assert.Equal(
            $"collateral unavailable: no valid cached collateral for FMSPC 000000000000 (platform CA) and the PCCS fetch failed: Failed to fetch {url}/sgx/certification/v4/pckcrl?ca=platform&encoding=der: HTTP 404",
            required.Refusal!.Reason);
        Assert.True(optional.IsSuccess, optional.Refusal?.Reason);
        Assert.Equal(TcbStatuses.Unknown, optional.Value.BootInfo.TcbStatus);
    }

    private CallerAuthenticator Authenticator(string url, bool required) =>
        new(_bed.Anchor, allowDebugTds: false, TimeProvider.System, new PccsCollateralSource(new CollateralCache(() => new PccsClient(_http, url), null, TimeProvider.System, NullLogger.Instance)), required);

    private Task<System.Security.Cryptography.X509Certificates.X509Certificate2> Certificate() => KmsTestBed.CreateCallerCertificateAsync(_bed.Caller, KmsTestBed.VmConfig);
}
