using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Dstack.Attestation.Simulation;
using Dstack.Kms.Authentication;
using Dstack.Kms.Hosting;
using Dstack.Rpc.Client;
using Dstack.Rpc.Kms;
using Dstack.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Tests.Grpc;

/// <summary>
/// KMS daemons on real Kestrel (loopback TLS, gRPC) built from config files, all on simulated TDs of one simulated
/// platform (a shared mock DCAP seed, so every TD's quotes verify under the one simulated trust root), plus a caller VM
/// booted as the allowed app.
/// </summary>
internal sealed class GrpcKmsBed : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private readonly List<IDisposable> _owned = [];
    private readonly Dictionary<string, string> _kmsMrAggregated = [];

    private GrpcKmsBed(TempDirectory directory)
    {
        Directory = directory;
        PlatformDirectory = Path.Combine(directory.Path, "platform");
    }

    public TempDirectory Directory { get; }

    /// <summary>The simulated TD whose seed every other TD copies; the KMS trust root points here.</summary>
    public string PlatformDirectory { get; }

    public SimulatedTd Caller { get; private set; } = null!;

    public KmsTrustAnchor Anchor { get; private set; } = null!;

    public static async Task<GrpcKmsBed> CreateAsync()
    {
        var bed = new GrpcKmsBed(new TempDirectory());
        var platform = bed.Own(SimulatedTd.Open(bed.PlatformDirectory));
        bed.Anchor = bed.Own(KmsTrustAnchor.Simulated(platform.Pki, TimeProvider.System));
        bed.Caller = bed.Own(bed.OpenTd("caller"));
        await KmsTestBed.BootAsync(bed.Caller, KmsTestBed.AppId, KmsTestBed.ComposeHash, KmsTestBed.InstanceId);
        return bed;
    }

    /// <summary>Opens a TD of this platform (same mock DCAP seed).</summary>
    public SimulatedTd OpenTd(string name)
    {
        var directory = Path.Combine(Directory.Path, name);
        System.IO.Directory.CreateDirectory(directory);
        var seed = Path.Combine(directory, MockAttestationSeed.FileName);
        if (!File.Exists(seed))
        {
            File.Copy(Path.Combine(PlatformDirectory, MockAttestationSeed.FileName), seed);
        }

        return SimulatedTd.Open(directory);
    }

    /// <summary>Boots the TD a KMS instance runs in (a dstack app of its own) and returns its mrAggregated (hex).</summary>
    public async Task<string> PrepareKmsTdAsync(string name, string composeText = "kms compose")
    {
        using var td = OpenTd(name + "-td");
        await KmsTestBed.BootAsync(td, Enumerable.Repeat((byte)0x77, 20).ToArray(), SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(composeText)), Enumerable.Repeat((byte)0x44, 20).ToArray());
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(td, KmsTestBed.VmConfig);
        var identity = await new CallerAuthenticator(Anchor, false, TimeProvider.System).AuthenticateCertificateAsync(cert, KmsTestBed.VmConfig, CancellationToken.None);
        Assert.True(identity.IsSuccess, identity.Refusal?.Reason);
        var mr = Convert.ToHexStringLower(identity.Value.BootInfo.MrAggregated);
        _kmsMrAggregated[name] = mr;
        return mr;
    }

    /// <summary>
    /// Writes the config of KMS <paramref name="name"/> (its TD prepared with <see cref="PrepareKmsTdAsync"/>): its
    /// <c>vm_config</c> is <see cref="KmsTestBed.VmConfig"/>, and unless <paramref name="allowSelf"/> is false its own
    /// mrAggregated joins the <c>kms</c> section of <paramref name="policy"/>, so that it passes self-authorization.
    /// </summary>
    public string WriteConfig(string name, object policy, int port, string? onboardFrom = null, bool allowSelf = true)
    {
        var policyPath = Path.Combine(Directory.Path, name + "-policy.json");
        var document = JsonSerializer.SerializeToNode(policy)!.AsObject();
        if (allowSelf)
        {
            var self = _kmsMrAggregated.TryGetValue(name, out var mr) ? mr : throw new InvalidOperationException($"prepare the TD of KMS {name} first");
            var kms = document["kms"]?.AsObject() ?? throw new InvalidOperationException("the policy has no kms section");
            if (kms["mrAggregated"] is not System.Text.Json.Nodes.JsonArray mrs)
            {
                kms["mrAggregated"] = mrs = [];
            }

            mrs.Add(self);
        }

        File.WriteAllText(policyPath, document.ToJsonString());
        var config = new Dictionary<string, object>
        {
            ["Listen"] = new { Address = "127.0.0.1", Port = port, Domain = name + ".kms.test" },
            ["KeyStore"] = new { Directory = KeyDirectory(name) },
            ["Tdx"] = new { Mode = "simulated", StateDirectory = Path.Combine(Directory.Path, name + "-td") },
            ["TrustRoot"] = new { Kind = "simulated", SimulatedStateDirectory = PlatformDirectory },
            ["Policy"] = new { Kind = "file", Path = policyPath },
        };
        config["Onboarding"] = onboardFrom is null
            ? new { VmConfig = KmsTestBed.VmConfig }
            : new { SourceUrl = onboardFrom, VmConfig = KmsTestBed.VmConfig };

        var path = Path.Combine(Directory.Path, name + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    public string KeyDirectory(string name) => Path.Combine(Directory.Path, name + "-keys");

    /// <summary>Builds and starts a KMS in-process; returns its gRPC address.</summary>
    public async Task<Uri> StartKmsAsync(string configPath, int port, TimeSpan? timeout = null, Action<KestrelServerLimits>? listenerLimits = null)
    {
        var app = KmsHost.Build(new KmsHostSettings { ConfigPath = configPath, ConfigureLogging = l => l.ClearProviders(), ConfigureListenerLimits = listenerLimits });
        _apps.Add(app);
        using var startTimeout = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await app.StartAsync(startTimeout.Token);
        return new Uri($"https://127.0.0.1:{port}");
    }

    /// <summary>The KMS started last.</summary>
    public WebApplication LastStarted => _apps[^1];

    /// <summary>A gRPC client of <paramref name="address"/> presenting <paramref name="clientCertificate"/> (server certificate not checked).</summary>
    public KmsClient Connect(Uri address, X509Certificate2? clientCertificate = null)
    {
        var client = Own(new UnaryClient(new UnaryClientOptions
        {
            Address = address,
            ClientCertificate = clientCertificate,
            ServerCertificateValidation = (_, _, _) => true,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        }));
        return new KmsClient(client);
    }

    /// <summary>The caller's RA-TLS certificate issued by the temp CA of the KMS at <paramref name="address"/>.</summary>
    public async Task<X509Certificate2> CallerCertificateAsync(Uri address, Func<byte[], byte[]>? tamperQuote = null)
    {
        var tempCa = await Connect(address).GetTempCaCertAsync(Deadline());
        return Own(await KmsTestBed.CreateCallerCertificateAsync(Caller, KmsTestBed.VmConfig, tamperQuote, tempCa: (tempCa.TempCaCert, tempCa.TempCaKey)));
    }

    public static DateTimeOffset Deadline() => DateTimeOffset.UtcNow.AddSeconds(30);

    public T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in Enumerable.Reverse(_apps))
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await app.StopAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
            {
            }

            await app.DisposeAsync();
        }

        foreach (var item in Enumerable.Reverse(_owned))
        {
            item.Dispose();
        }

        Directory.Dispose();
    }
}
