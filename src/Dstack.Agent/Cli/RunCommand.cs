using System.CommandLine;
using Dstack.Agent.Hosting;
using Microsoft.Extensions.Options;

namespace Dstack.Agent.Cli;

/// <summary><c>dstack-agent run [--config FILE]</c>: the daemon.</summary>
internal static class RunCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config", "-c")
        {
            Description = "JSON configuration file (sockets, access, limits, files); defaults apply without it",
        };
        var command = new Command("run", "Serve the guest-agent API on dstack.sock and tappd.sock") { config };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(new AgentHostSettings { ConfigPath = parse.GetValue(config)?.FullName }, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>
    /// Runs a daemon until <paramref name="cancellationToken"/> fires or the host stops; returns the exit code.
    /// <paramref name="started"/> runs once the sockets are listening.
    /// </summary>
    public static async Task<int> RunAsync(AgentHostSettings settings, TextWriter error, CancellationToken cancellationToken, Func<Task>? started = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(error);
        var booted = await Boot.BootHost.RunAsync(settings, error, onlyIfRequested: true, cancellationToken).ConfigureAwait(false);
        if (booted != 0)
        {
            return booted;
        }

        try
        {
            await using var app = AgentHost.Build(settings);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            if (started is not null)
            {
                await started().ConfigureAwait(false);
            }

            await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.WaitForShutdownAsync(app, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync("dstack-agent: invalid configuration:").ConfigureAwait(false);
            foreach (var failure in ex.Failures)
            {
                await error.WriteLineAsync("  - " + failure).ConfigureAwait(false);
            }

            return 2;
        }
        catch (AgentStartupException ex)
        {
            await error.WriteLineAsync("dstack-agent: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
