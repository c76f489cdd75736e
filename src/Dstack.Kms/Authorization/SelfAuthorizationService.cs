using System.Threading.Channels;
using Dstack.Kms.Hosting;
using Dstack.Kms.Policies;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Authorization;

/// <summary>
/// Runs <see cref="SelfAuthorization"/>: once at start (after the root keys are loaded, before the listener serves), then
/// again whenever the policy says it may have changed (<see cref="IPolicyChangeSource"/>: a reloaded policy file, a new
/// block on chain), when a key release was refused because of it (at most once per <see cref="MinimumRecheckSpacing"/>),
/// and on a timer of <c>Policy:SelfAuthorizationIntervalSeconds</c> (on the injected <see cref="TimeProvider"/>).
/// Nothing runs when enforcement is off.
/// </summary>
internal sealed class SelfAuthorizationService : BackgroundService
{
    private readonly SelfAuthorization _self;
    private readonly IPolicyChangeSource? _changes;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    /// <summary>The shortest time between two re-checks asked for by refused key releases.</summary>
    public static readonly TimeSpan MinimumRecheckSpacing = TimeSpan.FromSeconds(1);

    private PeriodicTimer? _timer;
    private long _lastRequestedRecheck = long.MinValue;
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Creates the service.</summary>
    public SelfAuthorizationService(SelfAuthorization self, IKmsPolicy policy, TimeSpan interval, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _self = self;
        _changes = policy as IPolicyChangeSource;
        _interval = interval;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_self.IsEnforced)
        {
            KmsLog.SelfAuthorizationDisabled(_logger);
            return;
        }

        if (_changes is not null)
        {
            _changes.PolicyChanged += OnPolicyChanged;
        }

        _self.RecheckRequested += OnRecheckRequested;
        await _self.CheckAsync(cancellationToken).ConfigureAwait(false);
        // created here, not in ExecuteAsync (which runs on another thread), so that the period counts from the start
        _timer = new PeriodicTimer(_interval, _timeProvider);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_changes is not null)
        {
            _changes.PolicyChanged -= OnPolicyChanged;
        }

        _self.RecheckRequested -= OnRecheckRequested;
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timer = _timer!;
        Task<bool>? tick = null;
        Task<bool>? signal = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
                signal ??= _signals.Reader.WaitToReadAsync(stoppingToken).AsTask();
                var fired = await Task.WhenAny(tick, signal).ConfigureAwait(false);
                if (fired == tick)
                {
                    if (!await tick.ConfigureAwait(false))
                    {
                        return;
                    }

                    tick = null;
                }
                else
                {
                    await signal.ConfigureAwait(false);
                    while (_signals.Reader.TryRead(out _))
                    {
                    }

                    signal = null;
                }

                await _self.CheckAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    private void OnPolicyChanged(object? sender, EventArgs e) => _signals.Writer.TryWrite(true);

    private void OnRecheckRequested(object? sender, EventArgs e)
    {
        var now = _timeProvider.GetTimestamp();
        var last = Interlocked.Read(ref _lastRequestedRecheck);
        if (last != long.MinValue && _timeProvider.GetElapsedTime(last, now) < MinimumRecheckSpacing)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastRequestedRecheck, now, last) == last)
        {
            _signals.Writer.TryWrite(true);
        }
    }
}
