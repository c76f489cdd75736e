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

    [Fact]
    public void A_sys_config_names_its_pccs_or_gets_dstacks_default()
    {
        Assert.Equal("http://127.0.0.1:8081", VerifyQuoteCommand.PccsUrlOf("{\"pccs_url\":\"http://127.0.0.1:8081\",\"kms_urls\":[]}"));
        Assert.Equal("https://pccs.phala.network", VerifyQuoteCommand.PccsUrlOf("{\"pccs_url\":\"\"}"));
        Assert.Equal("https://pccs.phala.network", VerifyQuoteCommand.PccsUrlOf("{}"));
        Assert.Equal("pccs_url must be a string", Assert.Throws<FormatException>(() => VerifyQuoteCommand.PccsUrlOf("{\"pccs_url\":1}")).Message);
    }

    [Fact]
    public async Task The_command_line_takes_the_pccs_from_a_sys_config()
    {
        var url = _server.Serve("sysconfig", DcapCollateral.FromJson(File.ReadAllText(SharedFiles.Fixture("collateral/tdx_quote_collateral.json"))));
        using var dir = new TempDirectory();
        var sysConfig = Path.Combine(dir.Path, "sys-config.json");
        await File.WriteAllTextAsync(sysConfig, "{\"pccs_url\":\"" + url + "\"}");
        var quote = SharedFiles.Fixture("collateral/tdx_quote");

        var upToDate = await AgentCli.Create().Parse(["verify-quote", "--sys-config", sysConfig, "--at", "1752919234", quote]).InvokeAsync();
        var expired = await AgentCli.Create().Parse(["verify-quote", "--sys-config", sysConfig, "--at", "1752919235", quote]).InvokeAsync();
        var both = await AgentCli.Create().Parse(["verify-quote", "--sys-config", sysConfig, "--pccs", url, quote]).InvokeAsync();

        Assert.Equal(0, upToDate);
        Assert.Equal(1, expired);
        Assert.NotEqual(0, both);
        Assert.Equal(8, _server.Requests("sysconfig"));
    }
}
