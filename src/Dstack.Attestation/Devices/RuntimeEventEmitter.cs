using System.Text;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Devices;

/// <summary>
/// Emits dstack runtime events as one critical section that holds across processes: take the exclusive lock
/// (<c>runtime_event.lock</c>), compute the digest, extend RTMR3, and only after the extend succeeded append the
/// JSON line to <c>runtime_events.log</c> (mode 0600) and flush. The log therefore lists events in extension order.
/// </summary>
public sealed class RuntimeEventEmitter
{
    /// <summary>Name of the lock file in the log directory.</summary>
    public const string LockFileName = "runtime_event.lock";

    private readonly ITdxDevice _device;
    private readonly string _logDirectory;
    private readonly RuntimeEventEmitterOptions _options;

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
    }

    /// <summary>Full path of the runtime log.</summary>
    public string LogPath => Path.Combine(_logDirectory, RuntimeEventLog.FileName);

    /// <summary>Validates, extends RTMR3 with the event digest and appends the event to the log; returns the logged event.</summary>
    /// <exception cref="ArgumentException">The name or payload is not acceptable.</exception>
    /// <exception cref="TdxDeviceException">The extend failed; nothing was appended.</exception>
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
        using var fileLock = await ExclusiveFileLock.AcquireAsync(
            Path.Combine(_logDirectory, LockFileName), _options.LockRetryInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);

        var digest = runtimeEvent.ComputeDigest();
        await _device.ExtendRtmrAsync(TdxEventTypes.RuntimeEventImr, digest, cancellationToken).ConfigureAwait(false);

        // past the extend: finish the append even if cancellation is requested now, or log and RTMR3 would disagree
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(LogPath, options))
        {
            await stream.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
            await stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        return runtimeEvent;
    }

    /// <summary>Reads the events logged so far, in extension order.</summary>
    public Task<IReadOnlyList<RuntimeEvent>> ReadLogAsync(CancellationToken cancellationToken)
        => RuntimeEventLog.ReadAsync(LogPath, cancellationToken);

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
