using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Boot;

/// <summary>
/// The boot's view of RTMR3: the runtime event log read once at the start is the record of what an earlier (failed or
/// interrupted) run of this boot already measured. The boot walks its plan through <see cref="EmitOnceAsync"/>: an event
/// the log already holds at the current position is checked (same name, same payload) and skipped; an event the log
/// does not hold yet is extended now. So every event is extended exactly once per TD, and a log that disagrees with
/// what this run computes (changed inputs, another KMS) stops the boot instead of measuring a second, different value.
/// </summary>
internal sealed class BootJournal
{
    private readonly RuntimeEventEmitter _emitter;
    private readonly IReadOnlyList<RuntimeEvent> _recorded;
    private readonly ILogger _logger;
    private int _position;

    private BootJournal(RuntimeEventEmitter emitter, IReadOnlyList<RuntimeEvent> recorded, ILogger logger)
    {
        _emitter = emitter;
        _recorded = recorded;
        _logger = logger;
    }

    /// <summary>Number of events extended by this run.</summary>
    public int Emitted { get; private set; }

    /// <summary>Reads the runtime log.</summary>
    public static async Task<BootJournal> OpenAsync(RuntimeEventEmitter emitter, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emitter);
        try
        {
            var recorded = await emitter.ReadLogAsync(cancellationToken).ConfigureAwait(false);
            return new BootJournal(emitter, recorded, logger);
        }
        catch (Exception ex) when (ex is EventLogFormatException or IOException or UnauthorizedAccessException)
        {
            throw new BootException("read runtime event log", $"{emitter.LogPath}: {ex.Message}", ex);
        }
    }

    /// <summary>The payload the log already holds for <paramref name="name"/> at the current position, or null.</summary>
    public byte[]? Recorded(string name) =>
        _position < _recorded.Count && _recorded[_position].Name == name ? _recorded[_position].Payload : null;

    /// <summary>The payload of <paramref name="name"/> anywhere in the log before <c>system-ready</c>, or null.</summary>
    public byte[]? Measured(string name) => AppInfoCalculator.FindPayload(_recorded, name);

    /// <summary>Whether the log holds <paramref name="name"/> anywhere.</summary>
    public bool Contains(string name) => _recorded.Any(e => e.Name == name);

    /// <summary>Extends RTMR3 with the event unless the log already holds it here; returns whether it was extended now.</summary>
    /// <exception cref="BootException">The log holds a different event here, or the extend failed.</exception>
    public async Task<bool> EmitOnceAsync(string name, byte[] payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (_position < _recorded.Count)
        {
            var logged = _recorded[_position];
            if (logged.Name != name || !logged.Payload.AsSpan().SequenceEqual(payload))
            {
                var found = logged.Name == name ? $"'{name}' with payload {Convert.ToHexStringLower(logged.Payload)}" : $"'{logged.Name}'";
                throw new BootException(
                    "measure " + name,
                    $"the runtime event log {_emitter.LogPath} already holds event #{_position + 1} {found}, but this boot would measure " +
                    $"'{name}' with payload {Convert.ToHexStringLower(payload)}; the inputs changed since the earlier attempt measured them and " +
                    "RTMR3 cannot be rewound: restore the inputs or restart the CVM");
            }

            _position++;
            BootLog.EventAlreadyMeasured(_logger, name);
            return false;
        }

        try
        {
            await _emitter.EmitAsync(name, payload, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TdxDeviceException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new BootException("measure " + name, $"extending RTMR3 failed: {ex.Message}", ex);
        }

        _position++;
        Emitted++;
        BootLog.EventEmitted(_logger, name, payload.Length);
        return true;
    }
}
