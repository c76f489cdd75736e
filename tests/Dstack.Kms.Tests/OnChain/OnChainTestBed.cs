using System.Security.Cryptography.X509Certificates;
using Dstack.Attestation.Simulation;
using Dstack.Ethereum;
using Dstack.Ethereum.Contracts;
using Dstack.Kms.Authentication;
using Dstack.Kms.Authorization;
using Dstack.Kms.Images;
using Dstack.Kms.Keys;
using Dstack.Kms.Policies;
using Dstack.Kms.Service;
using Dstack.Tests;

namespace Dstack.Kms.Tests.OnChain;

/// <summary>
/// A bootstrapped KMS whose policy is <see cref="OnChainPolicy"/>, and a simulated caller VM that booted with a given
/// app id (an app contract address) and compose hash, whose quotes chain to the trusted simulated root. The KMS's own
/// TD (booted as the KMS app on the same platform) is self-authorized once at creation; the default KMS identity is
/// registered on the shared chain by <see cref="OnChainFixture"/> (deep enough for lagging block tags), or on a chain of
/// the test's own by <c>register</c> (its aggregated MR, device and OS image, as <c>isKmsAllowed</c> needs).
/// </summary>
internal sealed class OnChainTestBed : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly TempDirectory _directory = new();

    private OnChainTestBed()
    {
    }

    public SimulatedTd Caller { get; private set; } = null!;

    public KmsKeyHolder Holder { get; } = new();

    public CallerAuthenticator Authenticator { get; private set; } = null!;

    public OnChainPolicy Policy { get; private set; } = null!;

    public CapturingLogger Log { get; } = new();

    public KmsService Service { get; private set; } = null!;

    /// <summary>The KMS's self-authorization, checked once at creation (no periodic re-check in this bed).</summary>
    public SelfAuthorization Self { get; private set; } = null!;

    /// <summary>The OS image hash of the KMS's own vm_config (registered by <c>register</c>).</summary>
    public byte[] KmsOsImage { get; private set; } = DefaultKmsOsImage;

    /// <summary>The compose of the KMS app every bed runs unless told otherwise (registered once per chain by <see cref="OnChainFixture"/>).</summary>
    public const string DefaultKmsCompose = "on-chain test kms";

    /// <summary>The OS image of the default KMS's vm_config.</summary>
    public static readonly byte[] DefaultKmsOsImage = System.Security.Cryptography.SHA256.HashData("on-chain test kms image"u8);

    /// <summary>
    /// Registers the identity of the default bed KMS (<see cref="DefaultKmsCompose"/>; the simulated platform makes it the
    /// same on every TD: fixed MRTD, boot log and device) on <paramref name="kms"/>: aggregated MR, device and OS image.
    /// </summary>
    public static async Task RegisterDefaultKmsAsync(DstackKmsContract kms)
    {
        ArgumentNullException.ThrowIfNull(kms);
        using var directory = new TempDirectory();
        using var td = SimulatedTd.Open(directory.Path);
        await BootKmsAsync(td, DefaultKmsCompose);
        using var anchor = KmsTrustAnchor.Simulated(td.Pki, TimeProvider.System);
        var identity = await new KmsIdentity(new TdxAttestationSource(td.Device, td.Events.LogPath), new CallerAuthenticator(anchor, false, TimeProvider.System), VmConfig(DefaultKmsOsImage))
            .IdentifyAsync(CancellationToken.None);
        Assert.True(identity.IsSuccess, identity.Refusal?.Reason);
        await kms.AddKmsAggregatedMrAsync(identity.Value.BootInfo.MrAggregated);
        await kms.AddKmsDeviceAsync(identity.Value.BootInfo.DeviceId);
        await kms.AddOsImageHashAsync(DefaultKmsOsImage);
    }

    private static Task BootKmsAsync(SimulatedTd td, string compose) =>
        KmsTestBed.BootAsync(td, KmsTestBed.KmsAppId, System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(compose)), Enumerable.Repeat((byte)0x44, 20).ToArray());

    /// <summary>Builds the bed; the policy reads <paramref name="kmsContract"/> through <paramref name="rpcUrls"/>.</summary>
    public static async Task<OnChainTestBed> CreateAsync(
        IReadOnlyList<Uri> rpcUrls,
        EvmAddress kmsContract,
        EvmAddress appId,
        byte[] composeHash,
        string blockTag = "latest",
        ulong chainId = AnvilProcess.DefaultChainId,
        TimeSpan? timeout = null,
        DstackKmsContract? register = null,
        string kmsCompose = DefaultKmsCompose)
    {
        var bed = new OnChainTestBed();
        bed.Caller = bed.Own(SimulatedTd.Open(Path.Combine(bed._directory.Path, "caller")));
        var kmsTd = bed.Own(KmsTestBed.OpenOnPlatform(bed.Caller, Path.Combine(bed._directory.Path, "kms-td")));
        await KmsTestBed.BootAsync(bed.Caller, appId.ToArray(), composeHash, KmsTestBed.InstanceId);
        await BootKmsAsync(kmsTd, kmsCompose);
        if (kmsCompose != DefaultKmsCompose)
        {
            bed.KmsOsImage = OnChainDeployment.RandomHash();
        }
        var anchor = bed.Own(KmsTrustAnchor.Simulated(bed.Caller.Pki, TimeProvider.System));
        var store = new RootKeyStore(
            Path.Combine(bed._directory.Path, "keys"), Crypto.Secp256k1.LibSecp256k1.Instance, TimeProvider.System, new TdxAttestationSource(kmsTd.Device, kmsTd.Events.LogPath));
        bed.Holder.Set(await store.BootstrapAsync("kms.test", CancellationToken.None));
        bed.Authenticator = new CallerAuthenticator(anchor, false, TimeProvider.System);
        bed.Policy = bed.Own(new OnChainPolicy(rpcUrls, chainId, kmsContract, OnChainBlockTag.Parse(blockTag), timeout ?? TimeSpan.FromSeconds(5), TimeProvider.System, bed.Log));
        // these beds test the contracts' allow-lists with made-up OS image hashes, so the OS-image check is off here
        // (OsImageCheckTests and the end-to-end refusal matrix cover it, on-chain included)
        var authorization = new KmsAuthorization(bed.Policy, new OsImageCheck(new ImageOptions { Verify = false }, null, bed.Log));
        bed.Self = bed.Own(new SelfAuthorization(
            new KmsIdentity(new TdxAttestationSource(kmsTd.Device, kmsTd.Events.LogPath), bed.Authenticator, VmConfig(bed.KmsOsImage)), authorization, true, bed.Log));
        if (register is not null && kmsCompose == DefaultKmsCompose)
        {
            await RegisterDefaultKmsAsync(register);
        }
        else if (register is not null)
        {
            var identity = await bed.Self.IdentifyAsync(CancellationToken.None);
            Assert.True(identity.IsSuccess, identity.Refusal?.Reason);
            await register.AddKmsAggregatedMrAsync(identity.Value.BootInfo.MrAggregated);
            await register.AddKmsDeviceAsync(identity.Value.BootInfo.DeviceId);
            await register.AddOsImageHashAsync(bed.KmsOsImage);
        }

        await bed.Self.CheckAsync(CancellationToken.None);
        bed.Service = new KmsService(
            bed.Holder, bed.Authenticator, authorization, bed.Self, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<KmsService>.Instance);
        return bed;
    }

    public static string VmConfig(byte[] osImageHash) => $"{{\"os_image_hash\":\"{Convert.ToHexStringLower(osImageHash)}\",\"cpu_count\":2}}";

    /// <summary>GetAppKey from the caller VM with a fresh RA-TLS client certificate.</summary>
    public async Task<KmsResult<AppKeyResponse>> GetAppKeyAsync(byte[] osImageHash)
    {
        var config = VmConfig(osImageHash);
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(Caller, config);
        return await Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, config), CancellationToken.None);
    }

    /// <summary>GetKmsKey from the caller VM (as a KMS instance being onboarded).</summary>
    public async Task<KmsResult<KmsKeyResponse>> GetKmsKeyAsync(byte[] osImageHash)
    {
        var config = VmConfig(osImageHash);
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(Caller, config);
        return await Service.GetKmsKeyAsync(new KmsKeyRequest(cert, config), CancellationToken.None);
    }

    /// <summary>What the KMS verifies about the caller (its device id and aggregated MR, to put on chain).</summary>
    public async Task<BootInfo> CallerBootInfoAsync(byte[] osImageHash)
    {
        var config = VmConfig(osImageHash);
        using X509Certificate2 cert = await KmsTestBed.CreateCallerCertificateAsync(Caller, config);
        var caller = await Authenticator.AuthenticateCertificateAsync(cert, config, CancellationToken.None);
        Assert.True(caller.IsSuccess, caller.Refusal?.Reason);
        return caller.Value.BootInfo;
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        Holder.Dispose();
        foreach (var item in Enumerable.Reverse(_owned))
        {
            item.Dispose();
        }

        _directory.Dispose();
    }
}
