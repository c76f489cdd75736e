using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dstack.Attestation.Formats;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Simulation;
using Dstack.Crypto.Secp256k1;
using Dstack.Kms.Authentication;
using Dstack.Kms.Authorization;
using Dstack.Kms.Images;
using Dstack.Kms.Keys;
using Dstack.Kms.Policies;
using Dstack.Kms.Service;
using Dstack.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dstack.Kms.Tests;

/// <summary>
/// A KMS over real parts: a simulated TD for the KMS itself (booted as the KMS app, on the caller's mock DCAP platform,
/// so its own attestation verifies: bootstrap attestation and self-authorization), a simulated caller VM that emits the
/// boot sequence's runtime events, the caller TD's mock DCAP root as trust anchor, and a policy file that allows the
/// KMS itself (its mrAggregated is added to the <c>kms</c> section by <see cref="WritePolicy"/>).
/// </summary>
internal sealed class KmsTestBed : IDisposable
{
    public static readonly byte[] AppId = Enumerable.Repeat((byte)0x5b, 20).ToArray();
    public static readonly byte[] ComposeHash = SHA256.HashData("services: {}\n"u8);
    public static readonly byte[] InstanceId = Enumerable.Repeat((byte)0x33, 20).ToArray();
    /// <summary>The OS image every simulated TD of the bed boots (the default simulated bundle).</summary>
    public static readonly byte[] OsImageHash = SimulatedOsImage.Default.OsImageHash;

    /// <summary>The vm_config of those TDs: lite, with the bundle's measurement, so the OS-image check accepts them.</summary>
    public static readonly string VmConfig = SimulatedBootImage.Default.VmConfig;
    public static readonly string DeviceId = Convert.ToHexStringLower(SHA256.HashData(new byte[16]));

    private readonly List<IDisposable> _owned = [];

    private KmsTestBed(TempDirectory directory) => Directory = directory;

    public TempDirectory Directory { get; }

    public SimulatedTd Caller { get; private set; } = null!;

    public SimulatedTd KmsTd { get; private set; } = null!;

    public KmsTrustAnchor Anchor { get; private set; } = null!;

    public string PolicyPath => Path.Combine(Directory.Path, "policy.json");

    public string KeyDirectory => Path.Combine(Directory.Path, "keys");

    public RootKeyStore Store { get; private set; } = null!;

    public KmsKeyHolder Holder { get; } = new();

    public FilePolicy Policy { get; private set; } = null!;

    public KmsService Service { get; private set; } = null!;

    public CallerAuthenticator Authenticator { get; private set; } = null!;

    /// <summary>The KMS's own self-authorization (checked once at creation; tests re-check it with <see cref="SelfAuthorization.CheckAsync"/>).</summary>
    public SelfAuthorization Self { get; private set; } = null!;

    /// <summary>The KMS TD's own identity as its policy sees it.</summary>
    public BootInfo KmsIdentity { get; private set; } = null!;

    /// <summary>Creates the bed with the caller booted as an allowed app and the KMS bootstrapped.</summary>
    public static async Task<KmsTestBed> CreateAsync(bool allowDebugTds = false, object? policy = null)
    {
        var bed = new KmsTestBed(new TempDirectory());
        bed.Caller = bed.Own(SimulatedTd.Open(Path.Combine(bed.Directory.Path, "caller")));
        bed.KmsTd = bed.Own(OpenOnPlatform(bed.Caller, Path.Combine(bed.Directory.Path, "kms-td")));
        await BootAsync(bed.Caller, AppId, ComposeHash, InstanceId);
        await BootAsync(bed.KmsTd, KmsAppId, SHA256.HashData("kms compose"u8), Enumerable.Repeat((byte)0x44, 20).ToArray());
        bed.Anchor = bed.Own(KmsTrustAnchor.Simulated(bed.Caller.Pki, TimeProvider.System));
        bed.Authenticator = new CallerAuthenticator(bed.Anchor, allowDebugTds, TimeProvider.System);
        bed.KmsIdentity = await IdentityOfAsync(bed.KmsTd, bed.Authenticator);
        bed.WritePolicy(policy ?? AllowingPolicy());
        bed.Policy = bed.Own(new FilePolicy(bed.PolicyPath, NullLogger.Instance));
        bed.Store = bed.CreateStore(bed.KeyDirectory);
        bed.Holder.Set(await bed.Store.BootstrapAsync("kms.test", CancellationToken.None));
        bed.Self = bed.Own(bed.CreateSelfAuthorization(bed.Policy));
        var self = await bed.Self.CheckAsync(CancellationToken.None);
        Assert.True(self.Status == SelfAuthorizationStatus.Allowed, "the bed's KMS must allow itself: " + self.Reason);
        bed.Service = bed.CreateService(bed.Holder, bed.Policy);
        return bed;
    }

    /// <summary>The app id of the KMS's own TD.</summary>
    public static readonly byte[] KmsAppId = Enumerable.Repeat((byte)0x77, 20).ToArray();

    /// <summary>Opens a TD at <paramref name="directory"/> whose quotes are signed by <paramref name="platform"/>'s mock DCAP PKI.</summary>
    public static SimulatedTd OpenOnPlatform(SimulatedTd platform, string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(platform.StateDirectory, MockAttestationSeed.FileName), Path.Combine(directory, MockAttestationSeed.FileName), overwrite: false);
        return SimulatedTd.Open(directory);
    }

    /// <summary>The identity of <paramref name="td"/> (with <see cref="VmConfig"/>) as self-authorization computes it.</summary>
    public static async Task<BootInfo> IdentityOfAsync(SimulatedTd td, CallerAuthenticator authenticator)
    {
        var identity = await new KmsIdentity(new TdxAttestationSource(td.Device, td.Events.LogPath), authenticator, VmConfig).IdentifyAsync(CancellationToken.None);
        Assert.True(identity.IsSuccess, identity.Refusal?.Reason);
        return identity.Value.BootInfo;
    }

    /// <summary>A self-authorization of this bed's KMS TD over <paramref name="policy"/> (not yet checked).</summary>
    public SelfAuthorization CreateSelfAuthorization(IKmsPolicy policy, bool enforce = true) =>
        new(new KmsIdentity(new TdxAttestationSource(KmsTd.Device, KmsTd.Events.LogPath), Authenticator, VmConfig), Authorization(policy), enforce, NullLogger.Instance);

    /// <summary>The KMS-identity decision over <paramref name="policy"/> with the default OS-image check (lite, no downloads).</summary>
    public static KmsAuthorization Authorization(IKmsPolicy policy) => new(policy, LiteImageCheck());

    /// <summary>The OS-image check of a KMS with the default <c>Image</c> options and no cache directory.</summary>
    public static OsImageCheck LiteImageCheck() => new(new ImageOptions(), null, NullLogger.Instance);

    public RootKeyStore CreateStore(string directory) =>
        new(directory, LibSecp256k1.Instance, TimeProvider.System, new TdxAttestationSource(KmsTd.Device, KmsTd.Events.LogPath));

    /// <summary>A service over <paramref name="policy"/>, gated by <paramref name="self"/> (default: the bed's checked <see cref="Self"/>).</summary>
    public KmsService CreateService(KmsKeyHolder holder, IKmsPolicy policy, CallerAuthenticator? authenticator = null, SelfAuthorization? self = null) =>
        new(holder, authenticator ?? Authenticator, Authorization(policy), self ?? Self, TimeProvider.System, NullLogger<KmsService>.Instance);

    public T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>The runtime events of a dstack boot in the reference order.</summary>
    public static async Task BootAsync(SimulatedTd td, byte[] appId, byte[] composeHash, byte[] instanceId)
    {
        await td.Events.EmitAsync("system-preparing", Array.Empty<byte>(), CancellationToken.None);
        await td.Events.EmitAsync("app-id", appId, CancellationToken.None);
        await td.Events.EmitAsync("compose-hash", composeHash, CancellationToken.None);
        await td.Events.EmitAsync("instance-id", instanceId, CancellationToken.None);
        await td.Events.EmitAsync("boot-mr-done", Array.Empty<byte>(), CancellationToken.None);
        await td.Events.EmitAsync("key-provider", Encoding.UTF8.GetBytes("{\"name\":\"kms\",\"id\":\"00\"}"), CancellationToken.None);
        await td.Events.EmitAsync("system-ready", Array.Empty<byte>(), CancellationToken.None);
    }

    public static Dictionary<string, object> AllowingPolicy(IEnumerable<string>? composeHashes = null, IEnumerable<string>? kmsMrAggregated = null) => new()
    {
        ["gatewayAppId"] = "gateway-1",
        ["osImages"] = new[] { Convert.ToHexStringLower(OsImageHash) },
        ["kms"] = new Dictionary<string, object> { ["mrAggregated"] = (kmsMrAggregated ?? []).ToArray(), ["allowAnyDevice"] = true },
        ["apps"] = new Dictionary<string, object>
        {
            [Convert.ToHexStringLower(AppId)] = new Dictionary<string, object>
            {
                ["composeHashes"] = (composeHashes ?? [Convert.ToHexStringLower(ComposeHash)]).ToArray(),
                ["devices"] = new[] { DeviceId },
                ["allowAnyDevice"] = false,
            },
        },
    };

    /// <summary>Writes the policy file; unless <paramref name="allowSelf"/> is false, this KMS's own mrAggregated joins its <c>kms</c> section.</summary>
    public void WritePolicy(object policy, bool allowSelf = true)
    {
        var document = JsonSerializer.SerializeToNode(policy)!.AsObject();
        if (allowSelf && document["kms"] is JsonObject kms)
        {
            if (kms["mrAggregated"] is not JsonArray mrs)
            {
                kms["mrAggregated"] = mrs = [];
            }

            mrs.Add(Convert.ToHexStringLower(KmsIdentity.MrAggregated));
        }

        File.WriteAllText(PolicyPath, document.ToJsonString());
    }

    /// <summary>An RA-TLS client certificate of <paramref name="td"/> as the guest builds it (kms.md §1.4); see <see cref="RaTlsCaller"/>.</summary>
    public static Task<X509Certificate2> CreateCallerCertificateAsync(
        SimulatedTd td,
        string vmConfig,
        Func<byte[], byte[]>? tamperQuote = null,
        bool bindOtherKey = false,
        bool debug = false,
        (string CertificatePem, string KeyPem)? tempCa = null) =>
        RaTlsCaller.CreateCertificateAsync(td, vmConfig, tamperQuote, bindOtherKey, debug, tempCa);

    public static Task<VersionedAttestation> CreateAttestationAsync(SimulatedTd td, byte[] quote, byte[] reportData, string vmConfig) =>
        RaTlsCaller.CreateAttestationAsync(td, quote, reportData, vmConfig);

    public void Dispose()
    {
        Holder.Dispose();
        foreach (var item in Enumerable.Reverse(_owned))
        {
            item.Dispose();
        }

        Directory.Dispose();
    }
}
