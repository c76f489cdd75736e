using System.Security.Cryptography;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Simulation;
using Dstack.Attestation.Storage;

namespace Dstack.Attestation.Devices;

/// <summary>
/// A software TD for development and tests. Its MRTD and RTMR0–3 live in <c>td-state</c> inside a state
/// directory for the VM's lifetime. On first start it boots the simulated OS image named by the directory's
/// <see cref="SimulatedBootImage"/> (spec os-image-verification §7): MRTD and RTMR0–2 are what the lite OS-image check
/// expects of that bundle, memory size and QEMU version, the boot log (<c>ccel.bin</c>) replays to them, and RTMR3
/// starts at zero. TD reports follow the TDREPORT layout
/// (spec tdx-boot §1.6, MAC zero); quotes come from the injected <see cref="IQuotingEnclave"/>. Only RTMR2 and
/// RTMR3 can be extended, as in dstack's simulator.
/// </summary>
public sealed class SimulatedTdxDevice : ITdxDevice, IDisposable
{
    /// <summary>File holding the registers.</summary>
    public const string StateFileName = "td-state";

    /// <summary>File holding the synthetic CCEL boot log.</summary>
    public const string CcelFileName = "ccel.bin";

    /// <summary>TD attributes reported (SEPT_VE_DISABLE set, debug clear).</summary>
    public static ReadOnlySpan<byte> TdAttributes => [0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00];

    private const string LockFileName = "td-state.lock";
    private static readonly TimeSpan LockRetryInterval = TimeSpan.FromMilliseconds(2);
    private readonly string _stateDirectory;
    private readonly IQuotingEnclave _quotingEnclave;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SimulatedTdState? _state;
    private long _generation;

    /// <summary>Opens (or on first use creates) the simulated TD whose state lives in <paramref name="stateDirectory"/>.</summary>
    public SimulatedTdxDevice(string stateDirectory, IQuotingEnclave quotingEnclave, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        ArgumentNullException.ThrowIfNull(quotingEnclave);
        _stateDirectory = stateDirectory;
        _quotingEnclave = quotingEnclave;
        _timeProvider = timeProvider ?? TimeProvider.System;
        Directory.CreateDirectory(stateDirectory);
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private string StatePath => Path.Combine(_stateDirectory, StateFileName);

    private string CcelPath => Path.Combine(_stateDirectory, CcelFileName);

    /// <summary>The current MRTD and RTMR0–3.</summary>
    public async Task<(byte[] MrTd, RtmrValues Rtmrs)> ReadRegistersAsync(CancellationToken cancellationToken)
    {
        var state = await WithStateAsync(_ => false, cancellationToken).ConfigureAwait(false);
        return (state.MrTd.ToArray(), new RtmrValues(state.Rtmrs[0].ToArray(), state.Rtmrs[1].ToArray(), state.Rtmrs[2].ToArray(), state.Rtmrs[3].ToArray()));
    }

    /// <inheritdoc />
    public async Task<byte[]> GetTdReportAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        CheckReportData(reportData);
        var state = await WithStateAsync(_ => false, cancellationToken).ConfigureAwait(false);
        var report = new byte[ITdxDevice.TdReportSize];
        report[0] = 0x81; // report type: TDX
        reportData.Span.CopyTo(report.AsSpan(128));
        TdAttributes.CopyTo(report.AsSpan(512));
        state.MrTd.CopyTo(report, 528);
        for (var i = 0; i < 4; i++)
        {
            state.Rtmrs[i].CopyTo(report, 720 + (i * 48));
        }

        return report;
    }

    /// <inheritdoc />
    public async Task<byte[]> GetQuoteAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        var report = await GetTdReportAsync(reportData, cancellationToken).ConfigureAwait(false);
        return _quotingEnclave.CreateQuote(report);
    }

    /// <inheritdoc />
    public async Task ExtendRtmrAsync(int index, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken)
    {
        if (index is not (2 or 3))
        {
            throw new TdxDeviceException($"simulated TD: RTMR{index} cannot be extended (only RTMR2 and RTMR3 are)");
        }

        if (digest.Length != ITdxDevice.RtmrSize)
        {
            throw new TdxDeviceException($"simulated TD: extend data must be {ITdxDevice.RtmrSize} bytes, got {digest.Length}");
        }

        var copy = digest.ToArray();
        await WithStateAsync(state =>
        {
            state.Rtmrs[index] = SHA384.HashData([.. state.Rtmrs[index], .. copy]);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<byte[]> ReadCcelAsync(CancellationToken cancellationToken)
    {
        await WithStateAsync(_ => false, cancellationToken).ConfigureAwait(false);
        return await File.ReadAllBytesAsync(CcelPath, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SimulatedTdState> WithStateAsync(Func<SimulatedTdState, bool> update, CancellationToken cancellationToken)
    {
        // the gate queues this instance's callers without polling; the lock file serialises other instances and other
        // processes on the same state directory (they retry every LockRetryInterval while it is held)
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var fileLock = await ExclusiveFileLock.AcquireAsync(
                Path.Combine(_stateDirectory, LockFileName), LockRetryInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
            // every writer stores a new random generation in the lock file, so an unchanged generation means the state
            // file is the one this instance read last (also across processes)
            var generation = fileLock.ReadGeneration();
            SimulatedTdState state;
            if (!File.Exists(StatePath))
            {
                state = Initialize();
                generation = 0;
            }
            else
            {
                state = generation != 0 && generation == _generation && _state is { } known ? known : SimulatedTdState.Load(StatePath);
            }

            var working = state.Copy();
            if (update(working))
            {
                working.Save(StatePath);
                state = working;
                generation = 0;
            }

            if (generation == 0)
            {
                generation = NewGeneration();
                fileLock.WriteGeneration(generation);
            }

            (_state, _generation) = (state, generation);
            return state;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static long NewGeneration()
    {
        long generation;
        do
        {
            generation = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));
        }
        while (generation == 0);
        return generation;
    }

    private SimulatedTdState Initialize()
    {
        SimulatedBoot boot;
        try
        {
            boot = SimulatedBootImage.Load(_stateDirectory).Boot();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidDataException)
        {
            throw new TdxDeviceException($"simulated TD in {_stateDirectory} cannot boot its image: {ex.Message}", ex);
        }

        SecureFile.Write(CcelPath, boot.Ccel);
        var state = new SimulatedTdState(boot.MrTd, [boot.Rtmr0, boot.Rtmr1, boot.Rtmr2, new byte[48]]);
        state.Save(StatePath);
        return state;
    }

    private static void CheckReportData(ReadOnlyMemory<byte> reportData)
    {
        if (reportData.Length != ITdxDevice.ReportDataSize)
        {
            throw new TdxDeviceException($"report data must be exactly {ITdxDevice.ReportDataSize} bytes, got {reportData.Length}");
        }
    }
}
