using Dstack.Kms.Hosting;
using Dstack.Kms.Service;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

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
        var hostSettings = new KmsHostSettings
        {
            ConfigurationValues = settings.Configuration,
            ConfigureLogging = settings.ConfigureLogging,
        };
        return await Cli.RunCommand.RunAsync(hostSettings, settings.Error, cancellationToken, settings.Started is null ? null : async app =>
        {
            var keys = app.Services.GetRequiredService<KmsKeyHolder>().Keys
                ?? throw new KmsStartupException("the root keys are not loaded after start-up");
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new KmsStartupException("the RPC listener reports no address");
            await settings.Started(new KmsEmbeddedStarted(new Uri(address), (byte[])keys.K256PublicKey.Clone(), keys.CaCertPem)).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }
}
