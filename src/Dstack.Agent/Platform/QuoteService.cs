using Dstack.Agent.Api;
using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Quotes;

namespace Dstack.Agent.Platform;

/// <summary>
/// Takes quotes and pairs each with the event log that replays to it. Runtime events are extended into RTMR3 before
/// their log line is appended, so a quote may already cover an event whose line is not written yet, and the log may
/// already hold events extended after the quote. The service therefore quotes first, then reads the log and returns
/// the longest-consistent prefix: the runtime events whose replay equals the quoted RTMR3. When no prefix matches
/// (an append still pending) it reads again, and after a few reads quotes again. No lock is held, so emitters in other
/// processes are never blocked by a quote. The log is read from the emitter's parsed copy (the file is read only when
/// it grew), and no quote is served while the emitter knows the log to be behind RTMR3 (an append failed after an extend).
/// While the log does not change, every attestation shares one <see cref="AttestedEventLog"/>.
/// </summary>
internal sealed class QuoteService(TdxPlatform platform, TimeProvider timeProvider)
{
    private const int QuoteAttempts = 4;
    private const int ReadsPerQuote = 20;
    private static readonly TimeSpan ReadRetryDelay = TimeSpan.FromMilliseconds(5);
    private IReadOnlyList<TdxEvent>? _bootEvents;
    private AttestedEventLog? _lastLog;

    /// <summary>Quotes exactly 64 bytes of report data and returns the quote with its consistent event log.</summary>
    public async Task<TdAttestation> AttestAsync(byte[] reportData, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reportData);
        var boot = _bootEvents ??= await ReadBootEventsAsync(cancellationToken).ConfigureAwait(false);
        await EnsureConsistentAsync(cancellationToken).ConfigureAwait(false);

        for (var attempt = 0; attempt < QuoteAttempts; attempt++)
        {
            var quote = await Device(d => d.GetQuoteAsync(reportData, cancellationToken)).ConfigureAwait(false);
            TdxQuote parsed;
            try
            {
                parsed = TdxQuote.Parse(quote);
            }
            catch (QuoteFormatException ex)
            {
                throw new RpcException("the TDX device returned a malformed quote: " + ex.Message, ex);
            }

            var rtmr3 = parsed.Rtmrs[3].ToArray();
            for (var read = 0; read < ReadsPerQuote; read++)
            {
                var runtime = await ReadRuntimeEventsAsync(cancellationToken).ConfigureAwait(false);
                var covered = RuntimeEventEmitter.CoveredPrefix(runtime.TdxEvents, rtmr3);
                if (covered >= 0)
                {
                    var log = _lastLog;
                    if (log is null || log.Snapshot != runtime || log.Covered != covered)
                    {
                        _lastLog = log = new AttestedEventLog(boot, runtime, covered);
                    }

                    return new TdAttestation { Quote = quote, Parsed = parsed, ReportData = reportData, Log = log };
                }

                await Task.Delay(ReadRetryDelay, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        platform.Events.Recheck();
        throw new RpcException($"the runtime event log {platform.Events.LogPath} does not replay to the quoted RTMR3");
    }

    /// <summary>
    /// True when a quote taken now over the same report data would carry the same measurements (MRTD, RTMR0–3,
    /// MRCONFIGID, MROWNER, MROWNERCONFIG; read from a TD report, no quote is taken) and the same event log as
    /// <paramref name="attestation"/>: what lets a caller keep an answer built from it.
    /// </summary>
    public async Task<bool> IsCurrentAsync(TdAttestation attestation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        await EnsureConsistentAsync(cancellationToken).ConfigureAwait(false);
        var runtime = await ReadRuntimeEventsAsync(cancellationToken).ConfigureAwait(false);
        if (runtime != attestation.Log.Snapshot || attestation.Log.Covered != runtime.Events.Count)
        {
            return false;
        }

        var report = await Device(d => d.GetTdReportAsync(attestation.ReportData, cancellationToken)).ConfigureAwait(false);
        var quoted = attestation.Parsed;
        return report.Length == ITdxDevice.TdReportSize
            && report.AsSpan(528, 48).SequenceEqual(quoted.MrTd.Span)
            && report.AsSpan(576, 48).SequenceEqual(quoted.MrConfigId.Span)
            && report.AsSpan(624, 48).SequenceEqual(quoted.MrOwner.Span)
            && report.AsSpan(672, 48).SequenceEqual(quoted.MrOwnerConfig.Span)
            && Enumerable.Range(0, 4).All(i => report.AsSpan(720 + (48 * i), 48).SequenceEqual(quoted.Rtmrs[i].Span));
    }

    private async Task EnsureConsistentAsync(CancellationToken cancellationToken)
    {
        try
        {
            await platform.Events.EnsureConsistentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RuntimeEventLogException ex)
        {
            throw new RpcException(ex.Message, ex);
        }
        catch (Exception ex) when (ex is TdxDeviceException or IOException or UnauthorizedAccessException)
        {
            throw new RpcException("TDX device: " + ex.Message, ex);
        }
        catch (EventLogFormatException ex)
        {
            throw new RpcException($"cannot read the runtime event log {platform.Events.LogPath}: {ex.Message}", ex);
        }
    }

    private async Task<IReadOnlyList<TdxEvent>> ReadBootEventsAsync(CancellationToken cancellationToken)
    {
        var ccel = await Device(d => d.ReadCcelAsync(cancellationToken)).ConfigureAwait(false);
        try
        {
            return CcelParser.Parse(ccel);
        }
        catch (EventLogFormatException ex)
        {
            throw new RpcException("cannot parse the boot event log (CCEL): " + ex.Message, ex);
        }
    }

    private async Task<RuntimeEventLogSnapshot> ReadRuntimeEventsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await platform.Events.ReadSnapshotAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EventLogFormatException ex)
        {
            throw new RpcException($"cannot read the runtime event log {platform.Events.LogPath}: {ex.Message}", ex);
        }
    }

    private async Task<T> Device<T>(Func<ITdxDevice, Task<T>> call)
    {
        try
        {
            return await call(platform.Device).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TdxDeviceException or IOException or UnauthorizedAccessException)
        {
            throw new RpcException("TDX device: " + ex.Message, ex);
        }
    }
}
