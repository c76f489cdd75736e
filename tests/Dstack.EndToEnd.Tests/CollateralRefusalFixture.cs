using System.Text.Json.Nodes;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Simulation;
using Dstack.EndToEnd.Tests.Support;
using Dstack.Tests;
using Dstack.Tests.Pccs;

namespace Dstack.EndToEnd.Tests;

/// <summary>
/// A local PCCS (real HTTP) serving this platform's simulated collateral in several states, one site per state, and one
/// running KMS process per site (<c>Collateral:PccsUrl</c> = that site, collateral required); plus a caller TD booted as the
/// allowed app. The KMSs share the platform, and so its collateral, with the caller: their self-authorization is off so that
/// each refusal below is the caller's own.
/// </summary>
public sealed class CollateralRefusalFixture : IAsyncLifetime, IDisposable
{
    /// <summary>Advisories of the out-of-date site.</summary>
    public static readonly string[] OutOfDateAdvisories = ["INTEL-SA-00828", "INTEL-SA-00837"];

    private static readonly string[] Sites = ["uptodate", "outofdate", "expired", "revoked", "none"];

    private readonly Dictionary<string, KmsNode> _nodes = [];
    private readonly Dictionary<string, KmsProcess> _kms = [];
    private MockDcapPki _pki = null!;

    internal SimulatedPlatform Platform { get; private set; } = null!;

    internal PccsServer Pccs { get; private set; } = null!;

    internal SimulatedTd Caller { get; private set; } = null!;

    internal KmsNode Node(string site) => _nodes[site];

    internal KmsProcess Kms(string site) => _kms[site];

    public async Task InitializeAsync()
    {
        Platform = new SimulatedPlatform();
        _pki = new MockDcapPki(MockAttestationSeed.Load(Platform.PlatformDirectory));
        Pccs = await PccsServer.StartAsync();
        Pccs.Serve("uptodate", () => _pki.CreateCollateral(DateTimeOffset.UtcNow));
        Pccs.Serve("outofdate", () => _pki.CreateCollateral(DateTimeOffset.UtcNow, TcbStatuses.OutOfDate, OutOfDateAdvisories));
        Pccs.Serve("expired", () => _pki.CreateCollateral(new MockCollateralOptions { IssueDate = DateTimeOffset.UtcNow.AddDays(-40), NextUpdate = DateTimeOffset.UtcNow.AddDays(-10) }));
        Pccs.Serve("revoked", () => _pki.CreateCollateral(DateTimeOffset.UtcNow, revokePckCertificate: true));
        Pccs.Serve("none", () => _pki.CreateCollateral(DateTimeOffset.UtcNow));
        Pccs.SetDown("none", true);

        var starts = new List<Task<KmsProcess>>();
        foreach (var site in Sites)
        {
            var node = await KmsNode.CreateAsync(Platform, "kms-" + site);
            node.Configure(
                PolicyFile.Allowing(),
                collateral: new JsonObject { ["PccsUrl"] = Pccs.Root + "/" + site, ["Required"] = true },
                enforceSelfAuthorization: false);
            _nodes[site] = node;
            starts.Add(node.StartAsync());
        }

        var started = await Task.WhenAll(starts);
        for (var i = 0; i < Sites.Length; i++)
        {
            _kms[Sites[i]] = started[i];
        }

        Caller = SimulatedTd.Open(Platform.NewTdDirectory(Path.Combine(Platform.Root, "caller-td")));
        await Caller.Events.EmitAsync("system-preparing", Array.Empty<byte>(), CancellationToken.None);
        await Caller.Events.EmitAsync("app-id", E2eApp.AppIdOf(E2eApp.Compose), CancellationToken.None);
        await Caller.Events.EmitAsync("compose-hash", E2eApp.ComposeHashOf(E2eApp.Compose), CancellationToken.None);
        await Caller.Events.EmitAsync("instance-id", Enumerable.Repeat((byte)0x33, 20).ToArray(), CancellationToken.None);
        await Caller.Events.EmitAsync(AppInfoCalculator.BootMrDone, Array.Empty<byte>(), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        Caller?.Dispose();
        foreach (var kms in _kms.Values)
        {
            await kms.DisposeAsync();
        }

        if (Pccs is not null)
        {
            await Pccs.DisposeAsync();
        }

        Platform?.Dispose();
    }

    public void Dispose() => _pki?.Dispose();
}
