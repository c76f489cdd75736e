using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Quotes;
using Dstack.Attestation.Simulation;
using Dstack.Rpc.Client;
using Dstack.Tests;

namespace Dstack.EndToEnd.Tests.Support;

/// <summary>
/// One <c>dstack-kms</c> instance of a <see cref="SimulatedPlatform"/>: its own simulated TD (booted as a dstack app, so
/// that it has an app id and an mrAggregated a peer's policy can allow), its key store, its policy file and its
/// configuration, on a fixed loopback port with the RPC certificate issued for <c>localhost</c>.
/// </summary>
internal sealed class KmsNode
{
    private readonly SimulatedPlatform _platform;

    private KmsNode(SimulatedPlatform platform, string name, int port)
    {
        _platform = platform;
        Name = name;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>The URL a VM's sys-config names (the RPC certificate is issued for <c>localhost</c>).</summary>
    public string Url => "https://localhost:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string ConfigPath => Path.Combine(_platform.Root, Name + ".json");

    public string PolicyPath => Path.Combine(_platform.Root, Name + "-policy.json");

    public string KeyDirectory => Path.Combine(_platform.Root, Name + "-keys");

    public string TdDirectory => Path.Combine(_platform.Root, Name + "-td");

    /// <summary>The mrAggregated (hex) of this KMS's TD as a peer KMS computes it from its attestation.</summary>
    public string MrAggregated { get; private set; } = "";

    /// <summary>Creates the instance's TD and boots it as the KMS app <paramref name="composeText"/>; a free port is picked now (bound when the KMS starts).</summary>
    public static async Task<KmsNode> CreateAsync(SimulatedPlatform platform, string name, string composeText = "kms compose", int? port = null)
    {
        var node = new KmsNode(platform, name, port ?? TcpPorts.GetFree());
        using var td = SimulatedTd.Open(platform.NewTdDirectory(node.TdDirectory));
        await EmitAsync(td, "system-preparing", []);
        await EmitAsync(td, "app-id", Enumerable.Repeat((byte)0x77, 20).ToArray());
        await EmitAsync(td, "compose-hash", SHA256.HashData(Encoding.UTF8.GetBytes(composeText)));
        await EmitAsync(td, "instance-id", SHA256.HashData(Encoding.UTF8.GetBytes(name))[..20]);
        await EmitAsync(td, AppInfoCalculator.BootMrDone, []);
        await EmitAsync(td, "key-provider", """{"name":"local","id":""}"""u8.ToArray());
        await EmitAsync(td, AppInfoCalculator.SystemReady, []);

        var quote = TdxQuote.Parse(await td.Device.GetQuoteAsync(new byte[64], CancellationToken.None));
        var measurements = TdMeasurements.Of(quote);
        var events = AppInfoCalculator.RuntimeEventsOf(await td.ReadEventLogAsync(CancellationToken.None));
        node.MrAggregated = Convert.ToHexStringLower(AppInfoCalculator.Compute(measurements, events).MrAggregated);
        return node;
    }

    /// <summary>
    /// Writes the policy and the configuration (file policy; simulated trust root unless <paramref name="intelTrustRoot"/>;
    /// this instance's vm_config is <see cref="E2eApp.VmConfig"/>). Unless <paramref name="allowSelf"/> is false the policy
    /// file also allows this instance itself (its <see cref="MrAggregated"/>), so that it passes self-authorization.
    /// </summary>
    /// <param name="policy">The file policy.</param>
    /// <param name="onboardFrom">The source KMS to onboard from, if any.</param>
    /// <param name="intelTrustRoot">Trust Intel's root instead of the platform's simulated one.</param>
    /// <param name="allowSelf">Whether the policy allows this instance itself.</param>
    /// <param name="image">The <c>Image</c> section (OS-image download URL and cache), if any.</param>
    /// <param name="collateral">The <c>Collateral</c> section (PCCS URL, cache, required), if any.</param>
    /// <param name="enforceSelfAuthorization">The value of <c>Policy:EnforceSelfAuthorization</c>.</param>
    public void Configure(PolicyFile policy, string? onboardFrom = null, bool intelTrustRoot = false, bool allowSelf = true, JsonObject? image = null, JsonObject? collateral = null, bool enforceSelfAuthorization = true)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Write(PolicyPath, allowSelf ? [MrAggregated] : null);
        var config = new JsonObject
        {
            ["Listen"] = new JsonObject { ["Address"] = "127.0.0.1", [nameof(Port)] = Port, ["Domain"] = "localhost" },
            ["KeyStore"] = new JsonObject { ["Directory"] = KeyDirectory },
            ["Tdx"] = new JsonObject { ["Mode"] = "simulated", ["StateDirectory"] = TdDirectory },
            ["TrustRoot"] = intelTrustRoot
                ? new JsonObject { ["Kind"] = "intel" }
                : new JsonObject { ["Kind"] = "simulated", ["SimulatedStateDirectory"] = _platform.PlatformDirectory },
            ["Policy"] = new JsonObject { ["Kind"] = "file", ["Path"] = PolicyPath, ["EnforceSelfAuthorization"] = enforceSelfAuthorization },
        };
        if (image is not null)
        {
            config["Image"] = image;
        }

        if (collateral is not null)
        {
            config["Collateral"] = collateral;
        }

        config["Onboarding"] = onboardFrom is null
            ? new JsonObject { ["VmConfig"] = E2eApp.VmConfig }
            : new JsonObject { ["SourceUrl"] = onboardFrom, ["VmConfig"] = E2eApp.VmConfig };

        File.WriteAllText(ConfigPath, config.ToJsonString());
    }

    /// <summary>Writes a configuration with the on-chain policy of <paramref name="kmsContract"/> at <paramref name="rpcUrl"/> (self-authorization off).</summary>
    public void ConfigureOnChain(Uri rpcUrl, ulong chainId, string kmsContract)
    {
        var config = new JsonObject
        {
            ["Listen"] = new JsonObject { ["Address"] = "127.0.0.1", [nameof(Port)] = Port, ["Domain"] = "localhost" },
            ["KeyStore"] = new JsonObject { ["Directory"] = KeyDirectory },
            ["Tdx"] = new JsonObject { ["Mode"] = "simulated", ["StateDirectory"] = TdDirectory },
            ["TrustRoot"] = new JsonObject { ["Kind"] = "simulated", ["SimulatedStateDirectory"] = _platform.PlatformDirectory },
            ["Policy"] = new JsonObject
            {
                ["Kind"] = "onchain",
                ["RpcUrls"] = new JsonArray(rpcUrl.ToString()),
                ["ChainId"] = chainId,
                ["KmsContract"] = kmsContract,
                ["TimeoutSeconds"] = 5,
                ["EnforceSelfAuthorization"] = false,
            },
            ["Onboarding"] = new JsonObject { ["VmConfig"] = E2eApp.VmConfig },
        };
        File.WriteAllText(ConfigPath, config.ToJsonString());
    }

    /// <summary>Starts <c>dstack-kms run</c> with this configuration and waits until it listens.</summary>
    public Task<KmsProcess> StartAsync(TimeSpan? timeout = null) => KmsProcess.StartAsync(ConfigPath, timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>A gRPC client of the running instance (server certificate not checked: the tests check the values it returns).</summary>
    public static KmsConnection Connect(KmsProcess kms, System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate = null)
    {
        ArgumentNullException.ThrowIfNull(kms);
        var client = new UnaryClient(new UnaryClientOptions
        {
            Address = kms.Address,
            ClientCertificate = clientCertificate,
            ServerCertificateValidation = (_, _, _) => true,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        });
        return new KmsConnection(client);
    }

    private static async Task EmitAsync(SimulatedTd td, string name, byte[] payload) => await td.Events.EmitAsync(name, payload, CancellationToken.None);
}
