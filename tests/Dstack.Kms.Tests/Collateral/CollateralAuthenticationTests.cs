using Dstack.Attestation.Dcap;
using Dstack.Attestation.Dcap.Pccs;
using Dstack.Attestation.Formats;
using Dstack.Kms.Authentication;
using Dstack.Kms.Collateral;
using Dstack.Tests;
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

    [Theory]
    [InlineData("tdx_quote")]
    [InlineData("tdx_quote_outdated")]
    public async Task The_kms_caller_check_evaluates_the_real_intel_quotes_with_pccs_collateral_at_the_fixture_times(string name)
    {
        // A real quote cannot be presented over RA-TLS (its report data binds no key of ours), but the SignCert path takes a
        // bare attestation bound to given report data: the KMS's own caller check runs on the real quote, with the
        // collateral fetched from a local PCCS and the clock at the fixture's time.
        var quote = RealFixtures.Quote(name);
        var url = _server.Serve(name, RealFixtures.Collateral(name));
        var now = name == "tdx_quote" ? RealFixtures.UpToDateNow : RealFixtures.OutdatedNow;
        var clock = new FixedTimeProvider(now);
        var authenticator = new CallerAuthenticator(
            KmsTrustAnchor.Intel(), allowDebugTds: false, clock, new PccsCollateralSource(new CollateralCache(() => new PccsClient(_http, url), null, clock, NullLogger.Instance)), requireCollateral: true);
        var attestation = AttestationCodec.EncodeV0(new VersionedAttestation
        {
            Quote = quote.Raw.ToArray(),
            EventLog = [],
            RuntimeEvents = [],
            ReportData = quote.ReportData.ToArray(),
            Config = "",
        });

        var result = await authenticator.AuthenticateAttestationAsync(attestation, quote.ReportData, "", bootTime: false, CancellationToken.None);

        Assert.False(result.IsSuccess);
        if (name == "tdx_quote")
        {
            // DCAP, the TCB (UpToDate) and the RTMR3 replay (no runtime events, RTMR3 zero) pass; the capture is not a dstack
            // app, so the first dstack check refuses it
            Assert.Equal("app_id must be 20 bytes, the attestation's app-id event has 0", result.Refusal!.Reason);
        }
        else
        {
            Assert.Equal("quote verification failed (trust root 'Intel SGX Root CA'): No matching TCB level found", result.Refusal!.Reason);
        }

        Assert.Equal(4, _server.Requests(name));
    }
}
