using System.Text.Json;
using Dstack.Agent.Cli;
using Dstack.Attestation.Dcap;
using Dstack.Tests;
using Dstack.Tests.Pccs;

namespace Dstack.Agent.Tests.Cli;

/// <summary><c>verify-quote --pccs URL</c>: the collateral of a real Intel quote fetched from a local PCCS over HTTP.</summary>
public sealed class VerifyQuotePccsTests : IAsyncLifetime
{
    private PccsServer _server = null!;

    public async Task InitializeAsync() => _server = await PccsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_real_quote_is_up_to_date_with_collateral_from_the_pccs_at_the_fixture_time()
    {
        var url = _server.Serve("pccs", DcapCollateral.FromJson(File.ReadAllText(SharedFiles.Fixture("collateral/tdx_quote_collateral.json"))));
        Assert.True(VerifyQuoteCommand.TryParseTime("1752919234", out var at));
        var output = new StringWriter();

        var exit = await VerifyQuoteCommand.RunAsync(SharedFiles.Fixture("collateral/tdx_quote"), null, null, at, Stream.Null, output, new StringWriter(), CancellationToken.None, url);

        var json = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.Equal(0, exit);
        Assert.Equal("UpToDate", json.GetProperty("tcb_status").GetString());
        Assert.Equal(0, json.GetProperty("advisory_ids").GetArrayLength());
        Assert.Equal("b0c06f000000", json.GetProperty("fmspc").GetString());
        Assert.Equal(4, _server.Requests("pccs"));
    }

    [Fact]
    public async Task A_pccs_that_cannot_serve_is_a_failed_verification_naming_the_url()
    {
        var url = _server.Serve("down", () => null);
        var error = new StringWriter();

        var exit = await VerifyQuoteCommand.RunAsync(SharedFiles.Fixture("collateral/tdx_quote"), null, null, null, Stream.Null, new StringWriter(), error, CancellationToken.None, url);

        Assert.Equal(1, exit);
        Assert.Equal($"verify-quote: collateral unavailable from {url}: Failed to fetch {url}/sgx/certification/v4/pckcrl?ca=platform&encoding=der: HTTP 404", error.ToString().Trim());
    }
}
