using Dstack.Attestation.EventLog;
using Dstack.Attestation.Simulation;
using Dstack.EndToEnd.Tests.Support;
using Dstack.Tests;

namespace Dstack.EndToEnd.Tests;

/// <summary>
/// Three running KMS processes with the same policy (the E2E app allowed): one trusting this platform's simulated DCAP
/// root, one trusting Intel's root (so its own simulated quote does not verify), one whose policy does not list the KMS
/// itself, one whose policy allows the app only on another device; and a caller TD of this platform booted as the allowed app up to <c>boot-mr-done</c>,
/// the state in which a VM asks for its keys.
/// </summary>
public sealed class RefusalFixture : IAsyncLifetime
{
    internal SimulatedPlatform Platform { get; private set; } = null!;

    internal KmsNode Node { get; private set; } = null!;

    internal KmsProcess Kms { get; private set; } = null!;

    internal KmsNode IntelNode { get; private set; } = null!;

    internal KmsProcess IntelKms { get; private set; } = null!;

    internal KmsNode UnlistedNode { get; private set; } = null!;

    internal KmsProcess UnlistedKms { get; private set; } = null!;

    internal KmsNode DeviceNode { get; private set; } = null!;

    internal KmsProcess DeviceKms { get; private set; } = null!;

    internal SimulatedTd Caller { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Platform = new SimulatedPlatform();
        Node = await KmsNode.CreateAsync(Platform, "kms");
        Node.Configure(PolicyFile.Allowing());
        IntelNode = await KmsNode.CreateAsync(Platform, "kms-intel");
        IntelNode.Configure(PolicyFile.Allowing(), intelTrustRoot: true);
        UnlistedNode = await KmsNode.CreateAsync(Platform, "kms-unlisted");
        UnlistedNode.Configure(PolicyFile.Allowing(), allowSelf: false);
        DeviceNode = await KmsNode.CreateAsync(Platform, "kms-device");
        var otherDevice = PolicyFile.Allowing();
        otherDevice.AppDevices = [new string('d', 64)];
        DeviceNode.Configure(otherDevice);
        var starting = IntelNode.StartAsync();
        var unlisted = UnlistedNode.StartAsync();
        var device = DeviceNode.StartAsync();
        Kms = await Node.StartAsync();
        IntelKms = await starting;
        UnlistedKms = await unlisted;
        DeviceKms = await device;

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
        if (Kms is not null)
        {
            await Kms.DisposeAsync();
        }

        if (IntelKms is not null)
        {
            await IntelKms.DisposeAsync();
        }

        if (UnlistedKms is not null)
        {
            await UnlistedKms.DisposeAsync();
        }

        if (DeviceKms is not null)
        {
            await DeviceKms.DisposeAsync();
        }

        Platform?.Dispose();
    }
}
