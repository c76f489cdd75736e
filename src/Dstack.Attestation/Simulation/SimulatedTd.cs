using Dstack.Attestation.Dcap;
using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Simulation;

/// <summary>
/// A complete software TD kept in one state directory: the mock DCAP PKI (from the directory's seed), the quoting
/// enclave, the <see cref="SimulatedTdxDevice"/> with its registers and boot log, and the runtime event log. Every
/// process that opens the same directory sees the same TD and signs with the same PKI.
/// </summary>
public sealed class SimulatedTd : IDisposable
{
    private SimulatedTd(string stateDirectory, MockDcapPki pki, TimeProvider timeProvider)
    {
        StateDirectory = stateDirectory;
        Pki = pki;
        Device = new SimulatedTdxDevice(stateDirectory, new MockQuotingEnclave(pki), timeProvider);
        Events = new RuntimeEventEmitter(Device, stateDirectory);
    }

    /// <summary>The state directory.</summary>
    public string StateDirectory { get; }

    /// <summary>The mock DCAP PKI that signs this TD's quotes.</summary>
    public MockDcapPki Pki { get; }

    /// <summary>The OS image, memory size and QEMU version this TD boots (its registers and boot log follow from them).</summary>
    public SimulatedBootImage BootImage => SimulatedBootImage.Load(StateDirectory);

    /// <summary>The <c>vm_config</c> a host hands a VM on this TD: the one its OS-image check accepts.</summary>
    public string VmConfig => BootImage.VmConfig;

    /// <summary>The trust root under which this TD's quotes verify (never the Intel root).</summary>
    public TrustRoot TrustRoot => Pki.TrustRoot;

    /// <summary>The TD's device seam.</summary>
    public SimulatedTdxDevice Device { get; }

    /// <summary>The serialised RTMR3-extend-and-log path for runtime events.</summary>
    public RuntimeEventEmitter Events { get; }

    /// <summary>Opens the TD in <paramref name="stateDirectory"/>, creating it (seed, registers, boot log) on first use.</summary>
    public static SimulatedTd Open(string stateDirectory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        var full = Path.GetFullPath(stateDirectory);
        return new SimulatedTd(full, new MockDcapPki(MockAttestationSeed.LoadOrCreate(full)), timeProvider ?? TimeProvider.System);
    }

    /// <summary>The boot events followed by the runtime events, as the TD exposes them.</summary>
    public Task<IReadOnlyList<TdxEvent>> ReadEventLogAsync(CancellationToken cancellationToken) => TdEventLog.ReadAsync(Device, Events, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => Pki.Dispose();
}
