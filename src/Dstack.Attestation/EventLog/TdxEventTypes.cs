namespace Dstack.Attestation.EventLog;

/// <summary>Event-type numbers that the event-log code gives a meaning to.</summary>
public static class TdxEventTypes
{
    /// <summary>dstack runtime events (RTMR3), <c>DSTACK_RUNTIME_EVENT_TYPE</c> = 0x08000001 (134217729).</summary>
    public const uint DstackRuntimeEvent = 0x08000001;

    /// <summary>TCG EV_NO_ACTION (used by the Spec ID header record).</summary>
    public const uint NoAction = 3;

    /// <summary>TCG EV_PLATFORM_CONFIG_FLAGS (carries the three "ACPI DATA" events).</summary>
    public const uint PlatformConfigFlags = 10;

    /// <summary>The RTMR that runtime events are extended into.</summary>
    public const int RuntimeEventImr = 3;
}
