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
/// </summary>
internal sealed class QuoteService(TdxPlatform platform, TimeProvider timeProvider)
{
    private const int QuoteAttempts = 4;
    private const int ReadsPerQuote = 20;
    private static readonly TimeSpan ReadRetryDelay = TimeSpan.FromMilliseconds(5);
    private IReadOnlyList<TdxEvent>? _bootEvents;

    /// <summary>Quotes exactly 64 bytes of report data and returns the quote with its consistent event log.</summary>
    public async Task<TdAttestation> AttestAsync(byte[] reportData, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reportData);
        var boot = _bootEvents ??= await ReadBootEventsAsync(cancellationToken).ConfigureAwait(false);
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
                    return new TdAttestation
                    {
                        Quote = quote,
                        Parsed = parsed,
                        ReportData = reportData,
                        RuntimeEvents = covered == runtime.Events.Count ? runtime.Events : [.. runtime.Events.Take(covered)],
                        EventLog = [.. boot, .. runtime.TdxEvents.Take(covered)],
                    };
                }

                await Task.Delay(ReadRetryDelay, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        platform.Events.Recheck();
        throw new RpcException($"the runtime event log {platform.Events.LogPath} does not replay to the quoted RTMR3");
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
