using System.Text.Json.Nodes;
using Dstack.Attestation.OsImage;
using Dstack.EndToEnd.Tests.Support;
using Dstack.Tests;

namespace Dstack.EndToEnd.Tests;

/// <summary>
/// A running <c>dstack-kms</c> that verifies OS images (lite from the vm_config, else the bundle from a real download
/// server, cached on disk), with a policy that allows the E2E app on four simulated images: the default one, one that
/// TDs here do not boot (<see cref="Other"/>), one the server does not have (<see cref="Missing"/>) and one whose served
/// bundle fails its checksum (<see cref="Corrupt"/>).
/// </summary>
public sealed class OsImageRefusalFixture : IAsyncLifetime
{
    internal static readonly SimulatedOsImage Other = SimulatedOsImage.Create("dstack-sim-other");

    internal static readonly SimulatedOsImage Missing = SimulatedOsImage.Create("dstack-sim-missing");

    internal static readonly SimulatedOsImage Corrupt = SimulatedOsImage.Create("dstack-sim-corrupt");

    internal static readonly SimulatedOsImage Unlisted = SimulatedOsImage.Create("dstack-sim-unlisted");

    internal SimulatedPlatform Platform { get; private set; } = null!;

    internal ImageBundleServer Images { get; private set; } = null!;

    internal KmsNode Node { get; private set; } = null!;

    internal KmsProcess Kms { get; private set; } = null!;

    internal string CacheDirectory => Path.Combine(Platform.Root, "image-cache");

    public async Task InitializeAsync()
    {
        Platform = new SimulatedPlatform();
        Images = await ImageBundleServer.StartAsync();
        Images.Serve(SimulatedOsImage.Default);
        Images.Serve(Other);
        var tampered = Corrupt.Measurement.ToArray();
        tampered[^1] ^= 0x01;
        Images.Serve(Corrupt, measurement: tampered);

        Node = await KmsNode.CreateAsync(Platform, "kms-images");
        var policy = PolicyFile.Allowing();
        policy.OsImages.AddRange([Other.OsImageHashHex, Missing.OsImageHashHex, Corrupt.OsImageHashHex]);
        Node.Configure(policy, image: new JsonObject
        {
            ["Verify"] = true,
            ["DownloadUrl"] = Images.UrlTemplate,
            [nameof(CacheDirectory)] = CacheDirectory,
            ["DownloadTimeoutSeconds"] = 30,
        });
        Kms = await Node.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Kms is not null)
        {
            await Kms.DisposeAsync();
        }

        if (Images is not null)
        {
            await Images.DisposeAsync();
        }

        Platform?.Dispose();
    }
}
