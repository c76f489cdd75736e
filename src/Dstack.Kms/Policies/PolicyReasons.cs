namespace Dstack.Kms.Policies;

/// <summary>Refusal reasons, identical to the reference contracts and auth services where they have one (kms.md §4.5, §5).</summary>
internal static class PolicyReasons
{
    /// <summary>The backend (webhook, chain) could not be asked or answered garbage.</summary>
    public const string BackendUnavailable = "authorization backend unavailable";

    /// <summary>TCB status not in the allowed list.</summary>
    public const string TcbStatusNotAllowed = "TCB status is not allowed";

    /// <summary>An advisory id not in the allowed list.</summary>
    public const string AdvisoryNotAllowed = "advisory ID is not allowed";

    /// <summary>OS image hash not allowed (DstackKms).</summary>
    public const string OsImageNotAllowed = "OS image is not allowed";

    /// <summary>KMS aggregated MR not allowed (DstackKms).</summary>
    public const string AggregatedMrNotAllowed = "Aggregated MR not allowed";

    /// <summary>KMS device not allowed (DstackKms).</summary>
    public const string KmsDeviceNotAllowed = "KMS is not allowed to boot on this device";

    /// <summary>App id unknown (DstackKms).</summary>
    public const string AppNotRegistered = "App not registered";

    /// <summary>Compose hash not allowed (DstackApp).</summary>
    public const string ComposeHashNotAllowed = "Compose hash not allowed";

    /// <summary>App device not allowed (DstackApp).</summary>
    public const string DeviceNotAllowed = "Device not allowed";
}
