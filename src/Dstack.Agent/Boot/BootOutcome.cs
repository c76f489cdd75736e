namespace Dstack.Agent.Boot;

/// <summary>How a boot ended (failures are <see cref="BootException"/>s).</summary>
/// <param name="AlreadyBooted">The TD had booted before: nothing was measured, fetched or written.</param>
/// <param name="EventsEmitted">Events this run extended into RTMR3.</param>
internal sealed record BootOutcome(bool AlreadyBooted, int EventsEmitted);
