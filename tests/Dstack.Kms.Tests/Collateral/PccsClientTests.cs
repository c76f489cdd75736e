using System.Text;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.Dcap.Pccs;
using Dstack.Tests;
using Dstack.Tests.Pccs;

namespace Dstack.Kms.Tests.Collateral;

/// <summary><see cref="PccsClient"/> against a local PCCS over real HTTP serving the real Intel collateral (spec dcap-collateral §3).</summary>
public sealed class PccsClientTests : IAsyncLifetime, IDisposable
{
    private PccsServer _server = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync() => _server = await PccsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public void The_key_of_a_real_quote_is_its_pck_fmspc_and_ca_type()
    {
        Assert.Equal(new CollateralKey("B0C06F000000", "platform"), CollateralKey.Of(RealFixtures.Quote("tdx_quote")));
        Assert.Equal(new CollateralKey("90C06F000000", "platform"), CollateralKey.Of(RealFixtures.Quote("tdx_quote_outdated")));
    }

    [Theory]
    [InlineData("tdx_quote")]
    [InlineData("tdx_quote_outdated")]
    public async Task Fetched_collateral_is_exactly_what_the_pccs_holds(string name)
    {
        var expected = RealFixtures.Collateral(name);
        var url = _server.Serve(name, expected);

        var fetched = await new PccsClient(_http, url + "/tdx/certification/v4/").FetchAsync(CollateralKey.Of(RealFixtures.Quote(name)), CancellationToken.None);

        // the signed bodies are the exact text (their signatures verify below), the chains survive percent-encoding ('+' included)
        Assert.Contains('+', expected.TcbInfoIssuerChain);
        Assert.Equal(expected.ToJson(), fetched.ToJson());
        Assert.Equal(4, _server.Requests(name)); // pckcrl, tcb, qe/identity, rootcacrl
    }

    [Fact]
    public async Task Real_collateral_fetched_over_http_verifies_up_to_date_at_the_fixture_time_and_is_refused_one_second_past_it()
    {
        var url = _server.Serve("real", RealFixtures.Collateral("tdx_quote"));
        var quote = RealFixtures.Quote("tdx_quote");
        var collateral = await new PccsClient(_http, url).FetchAsync(CollateralKey.Of(quote), CancellationToken.None);

        var atFixtureTime = new QuoteVerifier(TrustRoot.IntelSgxRootCa, new FixedTimeProvider(RealFixtures.UpToDateNow)).Verify(quote, collateral);
        var pastIt = new QuoteVerifier(TrustRoot.IntelSgxRootCa, new FixedTimeProvider(RealFixtures.UpToDateNow.AddSeconds(1))).Verify(quote, collateral);

        Assert.True(atFixtureTime.IsValid, string.Join("; ", atFixtureTime.Failures));
        Assert.Equal(TcbStatuses.UpToDate, atFixtureTime.TcbStatus);
        Assert.Empty(atFixtureTime.AdvisoryIds);
        Assert.False(pastIt.IsValid);
        Assert.Contains("expired", string.Join("; ", pastIt.Failures), StringComparison.Ordinal);
        Assert.Equal(RealFixtures.UpToDateNow, CollateralValidity.Of(collateral).Until);
    }

    [Fact]
    public async Task The_outdated_real_quote_has_no_matching_tcb_level_with_collateral_from_the_pccs()
    {
        var url = _server.Serve("outdated", RealFixtures.Collateral("tdx_quote_outdated"));
        var quote = RealFixtures.Quote("tdx_quote_outdated");
        var collateral = await new PccsClient(_http, url).FetchAsync(CollateralKey.Of(quote), CancellationToken.None);

        var result = new QuoteVerifier(TrustRoot.IntelSgxRootCa, new FixedTimeProvider(RealFixtures.OutdatedNow)).Verify(quote, collateral);

        Assert.Equal(["No matching TCB level found"], result.Failures);
        Assert.Equal(TcbStatuses.Unknown, result.TcbStatus);
    }

    [Fact]
    public async Task An_intel_pcs_v4_tcb_header_name_is_accepted()
    {
        var url = _server.Serve("pcs-names", RealFixtures.Collateral("tdx_quote"));
        _server.Rewrite("pcs-names", (path, answer) => path.EndsWith("/tcb", StringComparison.Ordinal) ? answer with { IssuerChainHeader = PccsProtocol.TcbInfoIssuerChainHeaderV4 } : answer);

        var fetched = await new PccsClient(_http, url).FetchAsync(new CollateralKey("B0C06F000000", "platform"), CancellationToken.None);

        Assert.Equal(RealFixtures.Collateral("tdx_quote").TcbInfoIssuerChain, fetched.TcbInfoIssuerChain);
    }

    [Fact]
    public async Task Protocol_errors_name_the_url_or_the_item()
    {
        var key = new CollateralKey("B0C06F000000", "platform");
        var url = _server.Serve("broken", RealFixtures.Collateral("tdx_quote"));
        var client = new PccsClient(_http, url);

        _server.Rewrite("broken", (path, answer) => path.EndsWith("/pckcrl", StringComparison.Ordinal) ? answer with { IssuerChainHeader = null } : answer);
        var missing = await Assert.ThrowsAsync<PccsException>(() => client.FetchAsync(key, CancellationToken.None));
        _server.Rewrite("broken", (path, answer) => path.EndsWith("/tcb", StringComparison.Ordinal) ? answer with { Body = "{\"tcbInfo\":"u8.ToArray() } : answer);
        var badJson = await Assert.ThrowsAsync<PccsException>(() => client.FetchAsync(key, CancellationToken.None));
        _server.Rewrite("broken", (path, answer) => path.EndsWith("/identity", StringComparison.Ordinal)
            ? answer with { Body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(answer.Body).Replace("\"signature\":\"", "\"signature\":\"zz", StringComparison.Ordinal)) }
            : answer);
        var badSignature = await Assert.ThrowsAsync<PccsException>(() => client.FetchAsync(key, CancellationToken.None));
        _server.Rewrite("broken", (path, answer) => path.EndsWith("/rootcacrl", StringComparison.Ordinal) ? answer with { Body = "not hex"u8.ToArray() } : answer);
        var badRootCrl = await Assert.ThrowsAsync<PccsException>(() => client.FetchAsync(key, CancellationToken.None));
        _server.SetDown("broken", true);
        var down = await Assert.ThrowsAsync<PccsException>(() => client.FetchAsync(key, CancellationToken.None));

        Assert.Equal("Missing SGX-PCK-CRL-Issuer-Chain", missing.Message);
        Assert.Equal("TCB Info should be valid JSON", badJson.Message);
        Assert.Equal("QE Identity signature must be valid hex", badSignature.Message);
        Assert.Equal(url + "/sgx/certification/v4/rootcacrl: the root CA CRL must be hex text", badRootCrl.Message);
        Assert.Equal($"Failed to fetch {url}/sgx/certification/v4/pckcrl?ca=platform&encoding=der: HTTP 503", down.Message);
    }

    [Fact]
    public void A_pccs_url_must_be_absolute_http()
    {
        var error = Assert.Throws<ArgumentException>(() => new PccsClient(_http, "pccs.example"));

        Assert.StartsWith("PCCS URL 'pccs.example' is not an absolute http(s) URL", error.Message, StringComparison.Ordinal);
        Assert.Equal("https://pccs.phala.network", new PccsClient(_http, "https://pccs.phala.network/sgx/certification/v4/").BaseUrl);
    }
}
