using System.Text;
using Dstack.Agent.Hosting;
using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;

namespace Dstack.Agent.Dev;

/// <summary>
/// The simulated boot of <c>dstack-agent dev</c>: emits the system events into RTMR3 in the reference order
/// (tdx-boot §4.3) — <c>system-preparing</c>, <c>app-id</c>, <c>compose-hash</c>, <c>instance-id</c>,
/// <c>boot-mr-done</c>, <c>os-image-hash</c> (the simulated OS image; a KMS key provider returns it), <c>key-provider</c>, <c>storage-fs</c>, <c>system-ready</c> — once per state directory, then
/// writes the <c>booted</c> marker. A boot interrupted part-way resumes where the log stops; a log that is not a prefix
/// of the plan, or an app-compose changed after boot, is refused.
/// </summary>
internal static class DevBoot
{
    /// <summary>The boot events for <paramref name="state"/>.</summary>
    public static IReadOnlyList<RuntimeEvent> Plan(DevState state, string keyProviderInfo)
    {
        ArgumentNullException.ThrowIfNull(state);
        return
        [
            new("system-preparing", []),
            new("app-id", state.AppId),
            new("compose-hash", state.ComposeHash),
            new("instance-id", state.InstanceId),
            new("boot-mr-done", []),
            new("os-image-hash", state.OsImageHash),
            new("key-provider", Encoding.UTF8.GetBytes(keyProviderInfo)),
            new("storage-fs", Encoding.UTF8.GetBytes(state.StorageFs)),
            new(AppInfoCalculator.SystemReady, []),
        ];
    }

    /// <summary>Emits the boot events unless this state directory has booted; returns how many were emitted.</summary>
    public static async Task<int> RunOnceAsync(DevState state, RuntimeEventEmitter emitter, string keyProviderInfo, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(emitter);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var logged = await emitter.ReadLogAsync(cancellationToken).ConfigureAwait(false);
        var marker = state.PathOf(DevState.BootedFileName);
        if (File.Exists(marker))
        {
            var bootedAppId = AppInfoCalculator.FindPayload(logged, "app-id");
            if (bootedAppId is not null && !bootedAppId.AsSpan().SequenceEqual(state.AppId))
            {
                throw new AgentStartupException(
                    $"{state.PathOf(DevState.ComposeFileName)} changed after this state directory booted (app id {Convert.ToHexStringLower(bootedAppId)} " +
                    $"is measured, the file now gives {Convert.ToHexStringLower(state.AppId)}); restore it or delete {state.Directory} to boot a new VM");
            }

            return 0;
        }

        var plan = Plan(state, keyProviderInfo);
        if (logged.Count > plan.Count || !logged.Select((e, i) => e.Name == plan[i].Name && e.Payload.AsSpan().SequenceEqual(plan[i].Payload)).All(same => same))
        {
            throw new AgentStartupException(
                $"the runtime event log {emitter.LogPath} is not a prefix of the boot sequence of this state directory; delete {state.Directory} to boot a new VM");
        }

        for (var i = logged.Count; i < plan.Count; i++)
        {
            await emitter.EmitAsync(plan[i].Name, plan[i].Payload, cancellationToken).ConfigureAwait(false);
        }

        var stamp = timeProvider.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(marker, $"booted {stamp}: {plan.Count} runtime events emitted\n", CancellationToken.None).ConfigureAwait(false);
        return plan.Count - logged.Count;
    }
}
