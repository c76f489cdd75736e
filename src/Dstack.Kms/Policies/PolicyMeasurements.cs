namespace Dstack.Kms.Policies;

/// <summary>The KMS section of a policy file: aggregated measurements and devices of KMS instances allowed to onboard.</summary>
internal sealed record PolicyMeasurements
{
    /// <summary>Allowed <c>mrAggregated</c> values (lowercase hex).</summary>
    public IReadOnlySet<string> MrAggregated { get; init; } = new HashSet<string>();

    /// <summary>Allowed device ids (lowercase hex).</summary>
    public IReadOnlySet<string> Devices { get; init; } = new HashSet<string>();

    /// <summary>Skip the device check.</summary>
    public bool AllowAnyDevice { get; init; }
}
