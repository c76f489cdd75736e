using System.CommandLine;
using Dstack.Kms.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dstack.Kms.Cli;

/// <summary><c>dstack-kms run --config FILE</c>: the daemon.</summary>
internal static class RunCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c")
        {
            Description = "JSON configuration file (listener, key store, TDX device, trust root, policy)",
            Required = true,
        };
        var command = new Command("run", "Serve the KMS: load or bootstrap the root keys and release app keys to attested callers") { config };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(new KmsHostSettings { ConfigPath = parse.GetValue(config)!.FullName }, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>
    /// Runs the daemon until <paramref name="cancellationToken"/> fires or the host stops; returns the exit code: 0 stopped,
    /// 1 start-up failed (keys, policy, listener), 2 invalid configuration. Failures are reported on
    /// <paramref name="error"/>, one line each. <paramref name="started"/> runs once the listener is bound.
    /// </summary>
    public static async Task<int> RunAsync(KmsHostSettings settings, TextWriter error, CancellationToken cancellationToken, Func<WebApplication, Task>? started = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            await using var app = KmsHost.Build(settings);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            if (started is not null)
            {
                await started(app).ConfigureAwait(false);
            }

            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            return await InvalidConfiguration.ReportAsync(error, ex).ConfigureAwait(false);
        }
        catch (KmsStartupException ex)
        {
            await error.WriteLineAsync("dstack-kms: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
        catch (IOException ex)
        {
            // Kestrel cannot bind the listener (port in use, address not available)
            await error.WriteLineAsync("dstack-kms: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
