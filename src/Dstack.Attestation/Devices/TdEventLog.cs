using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Devices;

/// <summary>
/// The event log a TD exposes (spec tdx-boot §3.5): the boot events of the CCEL (ACPI DATA events labelled) followed by
/// the runtime events in extension order. Replaying it gives the TD's RTMR0–3.
/// </summary>
public static class TdEventLog
{
    /// <summary>Reads the boot log from <paramref name="device"/> and the runtime log of <paramref name="emitter"/>.</summary>
    public static async Task<IReadOnlyList<TdxEvent>> ReadAsync(ITdxDevice device, RuntimeEventEmitter emitter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(emitter);
        var ccel = await device.ReadCcelAsync(cancellationToken).ConfigureAwait(false);
        var bootEvents = CcelParser.Parse(ccel);
        var runtimeEvents = await emitter.ReadLogAsync(cancellationToken).ConfigureAwait(false);
        var all = new List<TdxEvent>(bootEvents.Count + runtimeEvents.Count);
        all.AddRange(bootEvents);
        all.AddRange(runtimeEvents.Select(e => e.ToTdxEvent()));
        return all;
    }
}
