using System.Text.Json;
using Dstack.Attestation.Simulation;
using Dstack.Kms.Cli;
using Dstack.Kms.Hosting;
using Dstack.Kms.Service;
using Dstack.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Tests.OnChain;

/// <summary>The <c>onchain</c> policy keys: validation at start, the chain id check, and the daemon wired with the policy.</summary>
public sealed class OnChainConfigurationTests(OnChainFixture fixture) : IClassFixture<OnChainFixture>
{
    private OnChainDeployment Chain => fixture.Chain;

    [Fact]
    public async Task Bad_onchain_settings_are_each_reported_by_key()
    {
        using var dir = new TempDirectory();
        var config = Write(dir, new
        {
            Policy = new
            {
                Kind = "onchain",
                RpcUrls = new[] { "http://127.0.0.1:8545", "ws://x" },
                KmsContract = "0x1234",
                BlockTag = "head-x",
                TimeoutSeconds = 0,
                RpcUrl = "http://typo",
            },
        });

        var (code, text) = await RunAsync(config);

        Assert.Equal(2, code);
        Assert.Contains("Policy:RpcUrls:1 must be an absolute http(s) URL, got 'ws://x'", text, StringComparison.Ordinal);
        Assert.Contains("Policy:ChainId is required when Policy:Kind is onchain", text, StringComparison.Ordinal);
        Assert.Contains("Policy:KmsContract must be the DstackKms address", text, StringComparison.Ordinal);
        Assert.Contains("got '0x1234'", text, StringComparison.Ordinal);
        Assert.Contains("Policy:BlockTag must be 'latest', 'safe', 'finalized' or 'head-N' with N a block count, got 'head-x'", text, StringComparison.Ordinal);
        Assert.Contains("Policy:TimeoutSeconds must be in 1..600, got 0", text, StringComparison.Ordinal);
        Assert.Contains("unknown configuration key 'Policy:RpcUrl'", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rpc_urls_must_be_a_non_empty_array_and_the_address_checksum_is_checked()
    {
        using var dir = new TempDirectory();
        var scalar = Write(dir, new { Policy = new { Kind = "onchain", RpcUrls = "http://127.0.0.1:8545", ChainId = 1, KmsContract = "0x5FbDB2315678afecb367f032d93F642f64180aa3", BlockTag = "latest" } });
        var (scalarCode, scalarText) = await RunAsync(scalar);
        var empty = Write(dir, new { Policy = new { Kind = "onchain", RpcUrls = Array.Empty<string>(), ChainId = 1, KmsContract = "0x5FbDB2315678afecb367f032d93F642f64180aA3" } });
        var (emptyCode, emptyText) = await RunAsync(empty);

        Assert.Equal(2, scalarCode);
        Assert.Contains("unknown configuration key 'Policy:RpcUrls (expected an array)'", scalarText, StringComparison.Ordinal);
        Assert.Contains("Policy:RpcUrls must list at least one http(s) JSON-RPC URL", scalarText, StringComparison.Ordinal);
        Assert.DoesNotContain("Policy:KmsContract", scalarText, StringComparison.Ordinal);
        Assert.Equal(2, emptyCode);
        Assert.Contains("Policy:RpcUrls must list at least one http(s) JSON-RPC URL", emptyText, StringComparison.Ordinal);
        Assert.Contains("Policy:KmsContract must be the DstackKms address", emptyText, StringComparison.Ordinal); // bad EIP-55 checksum
    }

    [Fact]
    public async Task A_wrong_chain_id_is_a_start_up_error()
    {
        using var dir = new TempDirectory();
        var config = DaemonConfig(dir, chainId: 1);

        var (code, text) = await RunAsync(config);

        Assert.Equal(1, code);
        Assert.Contains("dstack-kms: Policy:ChainId is 1 but Policy:RpcUrls:0 (127.0.0.1) serves chain 31337", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_daemon_starts_with_the_onchain_policy_and_reports_it_in_GetMeta()
    {
        using var dir = new TempDirectory();
        var config = DaemonConfig(dir, chainId: 31337);

        await using var app = KmsHost.Build(new KmsHostSettings { ConfigPath = config, ConfigureLogging = Quiet });
        await app.StartAsync();
        var meta = await app.Services.GetRequiredService<KmsService>().GetMetaAsync(CancellationToken.None);
        await app.StopAsync();

        Assert.True(meta.IsSuccess, meta.Refusal?.Reason);
        Assert.Equal(31337UL, meta.Value.ChainId);
        Assert.Equal(Chain.Kms.Address.ToString(), meta.Value.KmsContractAddress);
        Assert.Equal(Chain.AppImplementation.ToString(), meta.Value.AppAuthImplementation);
        Assert.Equal(OnChainDeployment.GatewayAppId, meta.Value.GatewayAppId);
    }

    private string DaemonConfig(TempDirectory dir, ulong chainId)
    {
        var tdDir = Path.Combine(dir.Path, "td");
        using (SimulatedTd.Open(tdDir))
        {
        }

        return Write(dir, new
        {
            Listen = new { Address = "127.0.0.1", Port = TcpPorts.GetFree(), Domain = "kms.local" },
            KeyStore = new { Directory = Path.Combine(dir.Path, "keys") },
            Tdx = new { Mode = "simulated", StateDirectory = tdDir },
            TrustRoot = new { Kind = "simulated", SimulatedStateDirectory = tdDir },
            Policy = new
            {
                Kind = "onchain",
                RpcUrls = new[] { Chain.Anvil.Endpoint.AbsoluteUri },
                ChainId = chainId,
                KmsContract = Chain.Kms.Address.ToString(),
                BlockTag = "head-0",
                TimeoutSeconds = 5,
            },
        });
    }

    private static async Task<(int Code, string Text)> RunAsync(string config)
    {
        var error = new StringWriter();
        var code = await RunCommand.RunAsync(new KmsHostSettings { ConfigPath = config, ConfigureLogging = Quiet }, error, CancellationToken.None);
        return (code, error.ToString());
    }

    private static void Quiet(ILoggingBuilder logging) => logging.ClearProviders();

    private static string Write(TempDirectory dir, object config)
    {
        var path = Path.Combine(dir.Path, "kms.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }
}
