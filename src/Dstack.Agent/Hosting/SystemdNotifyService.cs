using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Hosting;

/// <summary>Tells the service manager when the sockets are served (<c>READY=1</c>) and when shutdown begins (<c>STOPPING=1</c>).</summary>
internal sealed class SystemdNotifyService(SystemdNotifier notifier, ILogger<SystemdNotifyService> logger) : IHostedLifecycleService
{
    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => SendAsync("READY=1", cancellationToken);

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => SendAsync("STOPPING=1", cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SendAsync(string state, CancellationToken cancellationToken)
    {
        if (!notifier.IsEnabled)
        {
            return;
        }

        try
        {
            await notifier.NotifyAsync(state, cancellationToken).ConfigureAwait(false);
            AgentLog.Notified(logger, state);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            AgentLog.NotifyFailed(logger, state, ex);
        }
    }
}
