namespace Dstack.Attestation.EventLog;

/// <summary>App identity derived from the runtime events and the measurements (spec tdx-boot §3.6).</summary>
public sealed record AppInfo
{
    /// <summary>Payload of the first <c>app-id</c> event before <c>system-ready</c> (empty if none).</summary>
    public required byte[] AppId { get; init; }

    /// <summary>Payload of the first <c>compose-hash</c> event.</summary>
    public required byte[] ComposeHash { get; init; }

    /// <summary>Payload of the first <c>instance-id</c> event.</summary>
    public required byte[] InstanceId { get; init; }

    /// <summary>Payload of the first <c>key-provider</c> event (empty in boot-time mode).</summary>
    public required byte[] KeyProviderInfo { get; init; }

    /// <summary>SHA-256(MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2 ‖ mr_key_provider).</summary>
    public required byte[] MrSystem { get; init; }

    /// <summary>SHA-256(MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2 ‖ RTMR3' [‖ MRCONFIGID ‖ MROWNER ‖ MROWNERCONFIG]).</summary>
    public required byte[] MrAggregated { get; init; }

    /// <summary>SHA-256 of the empty string.</summary>
    public required byte[] DeviceId { get; init; }
}
