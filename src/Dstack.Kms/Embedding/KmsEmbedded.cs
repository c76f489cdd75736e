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

    /// <summary>
    /// Development only: measures the simulated TD in <paramref name="stateDirectory"/> as the dstack KMS app
    /// <paramref name="compose"/> (app id = the compose hash's first 20 bytes), unless its runtime log already holds events;
    /// returns whether it measured.
    /// </summary>
    public static Task<bool> MeasureSimulatedTdAsync(string stateDirectory, string compose, CancellationToken cancellationToken) =>
        SimulatedAppBoot.MeasureOnceAsync(stateDirectory, compose, cancellationToken);

    /// <summary>
    /// This KMS's own identity, computed from its real TD exactly as self-authorization computes it, without starting
    /// anything or asking a policy (so that a host can allow the KMS in the policy it writes). Returns null after writing
    /// the reason to <see cref="KmsEmbeddedSettings.Error"/> when the configuration is invalid or the TD's attestation
    /// does not verify.
    /// </summary>
    public static async Task<KmsEmbeddedIdentity?> IdentifyAsync(KmsEmbeddedSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (_, identity) = await Cli.IdentityCommand.IdentifyAsync(
            new KmsHostSettings { ConfigurationValues = settings.Configuration, ConfigureLogging = settings.ConfigureLogging }, settings.Error, cancellationToken).ConfigureAwait(false);
        return identity is null
            ? null
            : new KmsEmbeddedIdentity(
                Authentication.BootInfo.Hex(identity.AppId),
                Authentication.BootInfo.Hex(identity.MrAggregated),
                Authentication.BootInfo.Hex(identity.DeviceId),
                Authentication.BootInfo.Hex(identity.OsImageHash),
                System.Text.Encoding.UTF8.GetString(identity.ToJson()));
    }
}
