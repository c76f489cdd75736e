using Dstack.Kms.Hosting;
using Dstack.Kms.Service;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dstack.Kms.Embedding;

/// <summary>
/// The KMS daemon for a host process that runs it next to other services (the simulated local stack,
/// <c>dstack-local</c>): the same host as <c>dstack-kms run</c>, configured from key/value pairs instead of a file.
/// This is the KMS's only public entry point; everything else stays internal.
/// </summary>
public static class KmsEmbedded
{
    /// <summary>
    /// Runs the KMS until <paramref name="cancellationToken"/> fires or the host stops; returns the exit code: 0 stopped,
    /// 1 start-up failed (keys, policy, listener), 2 invalid configuration. Failures are reported on
    /// <see cref="KmsEmbeddedSettings.Error"/>, one line each, never as exceptions.
    /// </summary>
    public static async Task<int> RunAsync(KmsEmbeddedSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var error = settings.Error;
        try
        {
            await using var app = KmsHost.Build(new KmsHostSettings
            {
                ConfigurationValues = settings.Configuration,
                ConfigureLogging = settings.ConfigureLogging,
            });
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            if (settings.Started is not null)
            {
                var keys = app.Services.GetRequiredService<KmsKeyHolder>().Keys
                    ?? throw new KmsStartupException("the root keys are not loaded after start-up");
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                    ?? throw new KmsStartupException("the RPC listener reports no address");
                await settings.Started(new KmsEmbeddedStarted(new Uri(address), (byte[])keys.K256PublicKey.Clone(), keys.CaCertPem)).ConfigureAwait(false);
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
            await error.WriteLineAsync("dstack-kms: invalid configuration:").ConfigureAwait(false);
            foreach (var failure in ex.Failures)
            {
                await error.WriteLineAsync("  - " + failure).ConfigureAwait(false);
            }

            return 2;
        }
        catch (KmsStartupException ex)
        {
            await error.WriteLineAsync("dstack-kms: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
        catch (IOException ex)
        {
            // Kestrel: the port is in use or the address cannot be bound
            await error.WriteLineAsync("dstack-kms: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
