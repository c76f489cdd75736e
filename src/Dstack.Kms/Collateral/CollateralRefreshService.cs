using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Collateral;

/// <summary>Refreshes cached collateral in the background, every <c>Collateral:RefreshCheckSeconds</c>, before it expires.</summary>
internal sealed class CollateralRefreshService(CollateralCache cache, TimeSpan interval, TimeProvider timeProvider, ILogger logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await cache.RefreshDueAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // a refresh failure must not stop the KMS: cached collateral stays in use until it expires
            CollateralLog.RefreshCrashed(logger, e);
        }
    }
}
