using System.Security.Cryptography;
using System.Text;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Simulation;

namespace Dstack.Kms.Hosting;

/// <summary>
/// Development only: measures a simulated TD the way a dstack boot measures a KMS app (the runtime events
/// <c>system-preparing</c>, <c>app-id</c>, <c>compose-hash</c>, <c>instance-id</c>, <c>boot-mr-done</c>,
/// <c>key-provider</c>, <c>system-ready</c>), so that a KMS on a simulated TD has an app id and an mrAggregated its policy
/// can allow. A TD whose runtime log already holds events is left alone (never measured twice).
/// </summary>
internal static class SimulatedAppBoot
{
    /// <summary>The compose text a simulated KMS app is measured with unless told otherwise.</summary>
    public const string DefaultCompose = "dstack-kms (simulated)";

    /// <summary>Measures the TD in <paramref name="stateDirectory"/> as the app <paramref name="compose"/> (app id: the compose hash's first 20 bytes); returns false when it was measured already.</summary>
    public static async Task<bool> MeasureOnceAsync(string stateDirectory, string compose, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        ArgumentNullException.ThrowIfNull(compose);
        using var td = SimulatedTd.Open(stateDirectory);
        var log = Path.Combine(td.StateDirectory, RuntimeEventLog.FileName);
        if (File.Exists(log) && (await RuntimeEventLog.ReadAsync(log, cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            return false;
        }

        var composeHash = SHA256.HashData(Encoding.UTF8.GetBytes(compose));
        await td.Events.EmitAsync("system-preparing", Array.Empty<byte>(), cancellationToken).ConfigureAwait(false);
        await td.Events.EmitAsync("app-id", composeHash.AsMemory(0, 20), cancellationToken).ConfigureAwait(false);
        await td.Events.EmitAsync("compose-hash", composeHash, cancellationToken).ConfigureAwait(false);
        await td.Events.EmitAsync("instance-id", RandomNumberGenerator.GetBytes(20), cancellationToken).ConfigureAwait(false);
        await td.Events.EmitAsync(AppInfoCalculator.BootMrDone, Array.Empty<byte>(), cancellationToken).ConfigureAwait(false);
        await td.Events.EmitAsync("key-provider", """{"name":"local","id":""}"""u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await td.Events.EmitAsync(AppInfoCalculator.SystemReady, Array.Empty<byte>(), cancellationToken).ConfigureAwait(false);
        return true;
    }
}
