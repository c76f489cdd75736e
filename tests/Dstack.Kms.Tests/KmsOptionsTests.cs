using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dstack.Attestation.Simulation;
using Dstack.Kms.Cli;
using Dstack.Kms.Collateral;
using Dstack.Kms.Configuration;
using Dstack.Kms.Hosting;
using Dstack.Kms.Keys;
using Dstack.Tests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Tests;

public sealed class KmsOptionsTests
{
    [Fact]
    public async Task Every_error_is_reported_at_once_including_unknown_keys()
    {
        using var dir = new TempDirectory();
        var config = Write(dir, new
        {
            Listen = new { Port = 70000, Adress = "x" },
            Tdx = new { Mode = "sgx" },
            TrustRoot = new { Kind = "simulated" },
            Policy = new { Kind = "webhook", WebhookUrl = "ftp://x" },
            Extra = 1,
        });
        var error = new StringWriter();

        var code = await RunCommand.RunAsync(new KmsHostSettings { ConfigPath = config, ConfigureLogging = Quiet }, error, CancellationToken.None);

        var text = error.ToString();
        Assert.Equal(2, code);
        Assert.Contains("unknown configuration key 'Extra'", text, StringComparison.Ordinal);
        Assert.Contains("unknown configuration key 'Listen:Adress'", text, StringComparison.Ordinal);
        Assert.Contains("Listen:Port must be in 1..65535, got 70000", text, StringComparison.Ordinal);
        Assert.Contains("Tdx:Mode must be 'linux' or 'simulated', got 'sgx'", text, StringComparison.Ordinal);
        Assert.Contains("TrustRoot:SimulatedStateDirectory is required", text, StringComparison.Ordinal);
        Assert.Contains("Policy:WebhookUrl must be an absolute http(s) URL", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_configuration_refuses_the_simulated_root_the_dev_policy_and_debug_tds()
    {
        using var dir = new TempDirectory();
        var config = Write(dir, new
        {
            Production = true,
            Tdx = new { Mode = "simulated", StateDirectory = dir.Path },
            TrustRoot = new { Kind = "simulated", SimulatedStateDirectory = dir.Path },
            Attestation = new { AllowDebugTds = true },
            Policy = new { Kind = "dev" },
        });
        var error = new StringWriter();

        var code = await RunCommand.RunAsync(new KmsHostSettings { ConfigPath = config, ConfigureLogging = Quiet }, error, CancellationToken.None);

        var text = error.ToString();
        Assert.Equal(2, code);
        Assert.Contains("a production configuration must not trust the simulated DCAP root", text, StringComparison.Ordinal);
        Assert.Contains("a production configuration must not use the dev policy", text, StringComparison.Ordinal);
        Assert.Contains("a production configuration must not run on a simulated TD", text, StringComparison.Ordinal);
        Assert.Contains("a production configuration must not accept debug TDs (Attestation:AllowDebugTds = true with Production = true)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_tds_are_refused_with_the_intel_root_and_the_self_authorization_interval_is_checked()
    {
        using var dir = new TempDirectory();
        var config = Write(dir, new
        {
            Attestation = new { AllowDebugTds = true },
            TrustRoot = new { Kind = "intel" },
            Policy = new { Kind = "webhook", WebhookUrl = "http://127.0.0.1:1/", EnforceSelfAuthorization = false, SelfAuthorizationIntervalSeconds = 0 },
        });
        var error = new StringWriter();

        var code = await RunCommand.RunAsync(new KmsHostSettings { ConfigPath = config, ConfigureLogging = Quiet }, error, CancellationToken.None);

        var text = error.ToString();
        Assert.Equal(2, code);
        Assert.Contains("debug TDs are never accepted under Intel's root (Attestation:AllowDebugTds = true with TrustRoot:Kind = intel)", text, StringComparison.Ordinal);
        Assert.Contains("Policy:SelfAuthorizationIntervalSeconds must be in 1..86400, got 0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown configuration key", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collateral_keys_are_checked_and_production_must_require_collateral()
    {
        using var dir = new TempDirectory();
        var config = Write(dir, new
        {
            Production = true,
            Collateral = new { PccsUrl = "pccs.example", Required = false, FetchTimeoutSeconds = 0, RefreshCheckSeconds = 5, CacheDir = "/tmp" },
        });
        var error = new StringWriter();

        var code = await RunCommand.RunAsync(new KmsHostSettings { ConfigPath = config, ConfigureLogging = Quiet }, error, CancellationToken.None);

        var text = error.ToString();
        Assert.Equal(2, code);
        Assert.Contains("Collateral:PccsUrl must be an absolute http(s) URL, got 'pccs.example'", text, StringComparison.Ordinal);
        Assert.Contains("Collateral:FetchTimeoutSeconds must be in 1..600, got 0", text, StringComparison.Ordinal);
        Assert.Contains("Collateral:RefreshCheckSeconds must be in 60..86400, got 5", text, StringComparison.Ordinal);
        Assert.Contains("a production configuration must require collateral (Collateral:Required = false", text, StringComparison.Ordinal);
        Assert.Contains("unknown configuration key 'Collateral:CacheDir'", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collateral_is_required_in_production_unless_configured_otherwise()
    {
        Assert.True(new CollateralOptions().IsRequired(production: true));
        Assert.False(new CollateralOptions().IsRequired(production: false));
        Assert.True(new CollateralOptions { Required = true }.IsRequired(production: false));
    }

    [Fact]
    public async Task Dev_policy_needs_the_simulated_root()
    {
        using var dir = new TempDirectory();
        var config = Write(dir, new { Policy = new { Kind = "dev" } });
        var error = new StringWriter();

        var code = await RunCommand.RunAsync(new KmsHostSettings { ConfigPath = config, ConfigureLogging = Quiet }, error, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("Policy:Kind dev is only allowed with the simulated trust root", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_config_file_is_a_clear_error()
    {
        var error = new StringWriter();

        var code = await RunCommand.RunAsync(new KmsHostSettings { ConfigPath = "/nonexistent/kms.json" }, error, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/kms.json does not exist", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulated_daemon_bootstraps_its_keys_and_serves_health_over_tls()
    {
        using var dir = new TempDirectory();
        var tdDir = Path.Combine(dir.Path, "td");
        using (var td = SimulatedTd.Open(tdDir))
        {
            // the KMS runs as a dstack app: without an app id its own attestation does not verify (self-authorization)
            await KmsTestBed.BootAsync(td, KmsTestBed.KmsAppId, new byte[32], KmsTestBed.InstanceId);
        }

        var keys = Path.Combine(dir.Path, "keys");
        var port = FreePort();
        var config = Write(dir, new
        {
            Listen = new { Address = "127.0.0.1", Port = port, Domain = "kms.local" },
            KeyStore = new { Directory = keys },
            Tdx = new { Mode = "simulated", StateDirectory = tdDir },
            TrustRoot = new { Kind = "simulated", SimulatedStateDirectory = tdDir },
            Policy = new { Kind = "dev" },
        });

        await using (var app = KmsHost.Build(new KmsHostSettings { ConfigPath = config, ConfigureLogging = Quiet }))
        {
            await app.StartAsync();
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
            using var http = new HttpClient(handler);
            var health = await http.GetStringAsync(new Uri($"https://127.0.0.1:{port}/health"));
            await app.StopAsync();

            Assert.Equal("OK", health);
        }

        Assert.True(File.Exists(Path.Combine(keys, RootKeyFiles.RootK256Key)));
        Assert.True(File.Exists(Path.Combine(keys, RootKeyFiles.BootstrapInfo)));
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_not_a_stack_trace()
    {
        using var dir = new TempDirectory();
        var tdDir = Path.Combine(dir.Path, "td");
        using (SimulatedTd.Open(tdDir))
        {
        }

        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        var port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;
        var config = Write(dir, new
        {
            Listen = new { Address = "127.0.0.1", Port = port, Domain = "kms.local" },
            KeyStore = new { Directory = Path.Combine(dir.Path, "keys") },
            Tdx = new { Mode = "simulated", StateDirectory = tdDir },
            TrustRoot = new { Kind = "simulated", SimulatedStateDirectory = tdDir },
            Policy = new { Kind = "dev" },
        });
        var error = new StringWriter();

        var code = await RunCommand.RunAsync(new KmsHostSettings { ConfigPath = config, ConfigureLogging = Quiet }, error, CancellationToken.None);

        Assert.Equal(1, code);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("dstack-kms: ", line, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Packaged_config_is_a_valid_production_configuration()
    {
        var path = Path.Combine(SharedFiles.RepositoryRoot, "packaging", "config", "kms.json");
        var configuration = new ConfigurationBuilder().AddJsonFile(path).Build();
        var options = configuration.Get<KmsOptions>()!;

        var result = new KmsOptionsValidator(new KmsConfiguration(configuration, path)).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.True(options.Production);
    }

    private static void Quiet(ILoggingBuilder logging) => logging.ClearProviders();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Write(TempDirectory dir, object config)
    {
        var path = Path.Combine(dir.Path, "kms.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }
}
