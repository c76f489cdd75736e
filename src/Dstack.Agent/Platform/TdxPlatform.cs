using Dstack.Agent.Configuration;
using Dstack.Attestation.Devices;
using Dstack.Attestation.Simulation;

namespace Dstack.Agent.Platform;

/// <summary>
/// The TDX device and its runtime event emitter, chosen once from <see cref="TdxOptions"/>: the Linux device with the
/// runtime log in <see cref="TdxOptions.RuntimeLogDirectory"/>, or the simulated TD of <see cref="TdxOptions.StateDirectory"/>
/// (whose runtime log lives in its state directory).
/// </summary>
internal sealed class TdxPlatform : IDisposable
{
    private readonly SimulatedTd? _simulated;

    private TdxPlatform(ITdxDevice device, RuntimeEventEmitter events, SimulatedTd? simulated)
    {
        Device = device;
        Events = events;
        _simulated = simulated;
    }

    /// <summary>The device that makes quotes and extends RTMRs.</summary>
    public ITdxDevice Device { get; }

    /// <summary>The serialised RTMR3-extend-and-append path.</summary>
    public RuntimeEventEmitter Events { get; }

    /// <summary>Opens the device the options name.</summary>
    public static TdxPlatform Create(TdxOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Mode == TdxOptions.SimulatedMode)
        {
            var td = SimulatedTd.Open(options.StateDirectory!, timeProvider);
            return new TdxPlatform(td.Device, td.Events, td);
        }

        var device = new LinuxTdxDevice(new LinuxTdxDeviceOptions { TimeProvider = timeProvider });
        return new TdxPlatform(device, new RuntimeEventEmitter(device, options.RuntimeLogDirectory, new RuntimeEventEmitterOptions { TimeProvider = timeProvider }), null);
    }

    /// <inheritdoc />
    public void Dispose() => _simulated?.Dispose();
}
