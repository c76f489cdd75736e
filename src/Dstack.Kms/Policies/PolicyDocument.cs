namespace Dstack.Kms.Policies;

/// <summary>
/// A parsed policy file. Hex values are normalised to lowercase without <c>0x</c>. Every list is an allow-list: an empty
/// list allows nothing (unlike auth-simple, an empty device list does not mean "any device"; use <c>allowAnyDevice</c>).
/// </summary>
internal sealed record PolicyDocument
{
    /// <summary>Gateway app id handed to callers.</summary>
    public string GatewayAppId { get; init; } = string.Empty;

    /// <summary>Allowed OS image hashes.</summary>
    public IReadOnlySet<string> OsImages { get; init; } = new HashSet<string>();

    /// <summary>Allowed TCB statuses; default <c>UpToDate</c> only.</summary>
    public IReadOnlySet<string> AllowedTcbStatuses { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "UpToDate" };

    /// <summary>Tolerated Intel advisory ids.</summary>
    public IReadOnlySet<string> AllowedAdvisoryIds { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Which KMS instances may be onboarded.</summary>
    public PolicyMeasurements Kms { get; init; } = new();

    /// <summary>Per app id (lowercase hex): allowed compose hashes and devices.</summary>
    public IReadOnlyDictionary<string, PolicyApp> Apps { get; init; } = new Dictionary<string, PolicyApp>();
}
