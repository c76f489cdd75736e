using System.Security.Cryptography;
using System.Text;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Devices;

/// <summary>
/// Emits dstack runtime events as one critical section that holds across processes: take the exclusive lock
/// (<c>runtime_event.lock</c>), compute the digest, extend RTMR3, and only after the extend succeeded append the
/// JSON line to <c>runtime_events.log</c> (mode 0600) and flush. The log therefore lists events in extension order.
/// It keeps a parsed copy of the log (<see cref="ReadSnapshotAsync"/>), refuses events that would take the log past
/// what verifiers accept, and checks that the log replays to RTMR3: on first use (under the lock) and whenever an
/// append failed after its extend. While it does not, quotes and new events are refused with the reason.
/// </summary>
public sealed class RuntimeEventEmitter
{
    /// <summary>Name of the lock file in the log directory.</summary>
    public const string LockFileName = "runtime_event.lock";

    // TDREPORT: TDINFO starts at 512; ATTRIBUTES, XFAM, MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG, RTMR0-2 precede RTMR3
    private const int TdReportRtmr3Offset = 512 + 8 + 8 + (4 * 48) + (3 * 48);

    private readonly ITdxDevice _device;
    private readonly string _logDirectory;
    private readonly RuntimeEventEmitterOptions _options;
    private readonly RuntimeEventLogCache _cache;
    private volatile bool _verified;
    private volatile string? _inconsistency;

    /// <summary>Creates an emitter writing to <paramref name="logDirectory"/> (created if missing) and extending through <paramref name="device"/>.</summary>
    public RuntimeEventEmitter(ITdxDevice device, string logDirectory, RuntimeEventEmitterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrEmpty(logDirectory);
        _device = device;
        _logDirectory = logDirectory;
        _options = options ?? new RuntimeEventEmitterOptions();
        if (_options.Version is not (1 or 2))
        {
            throw new ArgumentException($"runtime event version must be 1 or 2, got {_options.Version}", nameof(options));
        }

        if (_options.MaxLogEvents < 0 || _options.MaxLogEvents > ReplayLimits.Default.MaxEvents)
        {
            throw new ArgumentException($"the runtime log may hold 0 to {ReplayLimits.Default.MaxEvents} events, got {_options.MaxLogEvents}", nameof(options));
        }

        if (_options.MaxLogAttestationBytes < 0)
        {
            throw new ArgumentException($"the runtime log attestation budget must not be negative, got {_options.MaxLogAttestationBytes}", nameof(options));
        }

        _cache = new RuntimeEventLogCache(LogPath, ReplayLimits.Default);
    }

    /// <summary>Full path of the runtime log.</summary>
    public string LogPath => Path.Combine(_logDirectory, RuntimeEventLog.FileName);

    /// <summary>Why the log does not replay to RTMR3, or null while it does (or has not been checked yet).</summary>
    public string? Inconsistency => _inconsistency;

    /// <summary>Validates, extends RTMR3 with the event digest and appends the event to the log; returns the logged event.</summary>
    /// <exception cref="ArgumentException">The name or payload is not acceptable.</exception>
    /// <exception cref="TdxDeviceException">The extend failed; nothing was appended.</exception>
    /// <exception cref="RuntimeEventLogException">
    /// The log is full (nothing was extended), does not replay to RTMR3 (nothing was extended), or the append failed after
    /// the extend (the emitter is now in the inconsistent state).
    /// </exception>
    public async Task<RuntimeEvent> EmitAsync(string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ValidateName(name);
        if (payload.Length > _options.MaxPayloadBytes)
        {
            throw new ArgumentException($"event '{name}': payload of {payload.Length} bytes exceeds {_options.MaxPayloadBytes}", nameof(payload));
        }

        var runtimeEvent = new RuntimeEvent(name, payload.ToArray(), _options.Version);
        var line = Encoding.UTF8.GetBytes(RuntimeEventLog.FormatLine(runtimeEvent) + "\n");
        Directory.CreateDirectory(_logDirectory);
        using var fileLock = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        await VerifyLockedAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfInconsistent();
        var snapshot = _cache.Get(cancellationToken);
        CheckBudget(snapshot, runtimeEvent);

        var digest = runtimeEvent.ComputeDigest();
        await _device.ExtendRtmrAsync(TdxEventTypes.RuntimeEventImr, digest, cancellationToken).ConfigureAwait(false);

        // past the extend: finish the append even if cancellation is requested now, or log and RTMR3 would disagree
        try
        {
            await (_options.AppendLine ?? AppendToFileAsync)(LogPath, line).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _inconsistency = $"an append failed after extend: {ex.Message}";
            _verified = false;
            _cache.Invalidate();
            throw new RuntimeEventLogException(InconsistencyMessage(_inconsistency), ex);
        }

        return runtimeEvent;
    }

    /// <summary>Reads the events logged so far, in extension order (from the parsed copy; the file is read only when it grew).</summary>
    /// <exception cref="EventLogFormatException">The log is malformed or over a replay cap.</exception>
    public async Task<IReadOnlyList<RuntimeEvent>> ReadLogAsync(CancellationToken cancellationToken)
        => (await ReadSnapshotAsync(cancellationToken).ConfigureAwait(false)).Events;

    /// <summary>The parsed log as the file holds it now; the file is read only when it grew since the last call.</summary>
    /// <exception cref="EventLogFormatException">The log is malformed or over a replay cap.</exception>
    public Task<RuntimeEventLogSnapshot> ReadSnapshotAsync(CancellationToken cancellationToken) => Task.FromResult(_cache.Get(cancellationToken));

    /// <summary>
    /// Returns when the log replays to RTMR3. The first call (and every call after a failed append or a
    /// <see cref="Recheck"/>) replays the log against the device's RTMR3 under the emitter lock; later calls return at once.
    /// While the log is inconsistent every call checks again, so a repaired log (the lost line appended) is served again.
    /// </summary>
    /// <exception cref="RuntimeEventLogException">The log is behind RTMR3; the message says why and that quotes are refused.</exception>
    public async Task EnsureConsistentAsync(CancellationToken cancellationToken)
    {
        if (_verified && _inconsistency is null)
        {
            return;
        }

        Directory.CreateDirectory(_logDirectory);
        using (await AcquireLockAsync(cancellationToken).ConfigureAwait(false))
        {
            await VerifyLockedAsync(cancellationToken).ConfigureAwait(false);
        }

        ThrowIfInconsistent();
    }

    /// <summary>Makes the next <see cref="EnsureConsistentAsync"/> replay the log against RTMR3 again (a reader saw them disagree).</summary>
    public void Recheck() => _verified = false;

    /// <summary>Number of leading events whose replay equals <paramref name="rtmr3"/>, or −1 when none does.</summary>
    public static int CoveredPrefix(IReadOnlyList<TdxEvent> runtimeEvents, ReadOnlySpan<byte> rtmr3)
    {
        ArgumentNullException.ThrowIfNull(runtimeEvents);
        Span<byte> buffer = stackalloc byte[RtmrValues.Size * 2];
        buffer.Clear();
        if (buffer[..RtmrValues.Size].SequenceEqual(rtmr3))
        {
            return 0;
        }

        for (var i = 0; i < runtimeEvents.Count; i++)
        {
            runtimeEvents[i].Digest.CopyTo(buffer[RtmrValues.Size..]);
            SHA384.HashData(buffer, buffer[..RtmrValues.Size]);
            if (buffer[..RtmrValues.Size].SequenceEqual(rtmr3))
            {
                return i + 1;
            }
        }

        return -1;
    }

    // replays the log against RTMR3 unless that was done and it matched; while inconsistent, every call checks again
    private async Task VerifyLockedAsync(CancellationToken cancellationToken)
    {
        if (_verified && _inconsistency is null)
        {
            return;
        }

        var snapshot = _cache.Get(cancellationToken);
        var report = await _device.GetTdReportAsync(new byte[ITdxDevice.ReportDataSize], cancellationToken).ConfigureAwait(false);
        if (report.Length < TdReportRtmr3Offset + RtmrValues.Size)
        {
            throw new TdxDeviceException($"the TDREPORT is {report.Length} bytes, too short to hold RTMR3");
        }

        if (CoveredPrefix(snapshot.TdxEvents, report.AsSpan(TdReportRtmr3Offset, RtmrValues.Size)) >= 0)
        {
            _inconsistency = null;
        }
        else
        {
            _inconsistency ??= "RTMR3 holds extensions that the log does not list: an append failed after an extend, or a process stopped between them";
        }

        _verified = true;
    }

    private void ThrowIfInconsistent()
    {
        if (_inconsistency is { } reason)
        {
            throw new RuntimeEventLogException(InconsistencyMessage(reason));
        }
    }

    private string InconsistencyMessage(string reason)
        => $"the runtime event log {LogPath} does not replay to RTMR3 ({reason}); quotes are refused until it is repaired";

    private void CheckBudget(RuntimeEventLogSnapshot snapshot, RuntimeEvent runtimeEvent)
    {
        if (snapshot.Events.Count >= _options.MaxLogEvents)
        {
            throw new RuntimeEventLogException(
                $"event '{runtimeEvent.Name}' refused: the runtime event log holds {snapshot.Events.Count} events, the limit is {_options.MaxLogEvents} (more would make quotes unverifiable)");
        }

        var grown = snapshot.AttestationBytes + RuntimeEventLogSnapshot.AttestationFootprint(runtimeEvent.Name, runtimeEvent.Payload.Length);
        if (grown > _options.MaxLogAttestationBytes)
        {
            throw new RuntimeEventLogException(
                $"event '{runtimeEvent.Name}' refused: the runtime event log takes {snapshot.AttestationBytes} bytes of an attestation and would take {grown}, the limit is {_options.MaxLogAttestationBytes} (more would make quotes unverifiable)");
        }
    }

    private Task<ExclusiveFileLock> AcquireLockAsync(CancellationToken cancellationToken)
        => ExclusiveFileLock.AcquireAsync(Path.Combine(_logDirectory, LockFileName), _options.LockRetryInterval, _options.TimeProvider, cancellationToken);

    private static async Task AppendToFileAsync(string path, ReadOnlyMemory<byte> line)
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(path, options);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
            await stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
    }

    private void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw new ArgumentException("event name must not be empty", nameof(name));
        }

        if (name.Length > _options.MaxNameLength)
        {
            throw new ArgumentException($"event name of {name.Length} characters exceeds {_options.MaxNameLength}", nameof(name));
        }

        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsControl(name[i]))
            {
                throw new ArgumentException($"event name contains a control character (U+{(int)name[i]:X4}) at position {i}", nameof(name));
            }

            if (char.IsSurrogate(name[i]) && !(char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[++i])))
            {
                throw new ArgumentException($"event name contains an unpaired surrogate at position {i}", nameof(name));
            }
        }
    }
}
