namespace Dstack.Kms.Policies;

/// <summary>One app of a policy file.</summary>
internal sealed record PolicyApp
{
    /// <summary>Allowed compose hashes (lowercase hex).</summary>
    public IReadOnlySet<string> ComposeHashes { get; init; } = new HashSet<string>();

    /// <summary>Allowed device ids (lowercase hex).</summary>
    public IReadOnlySet<string> Devices { get; init; } = new HashSet<string>();

    /// <summary>Skip the device check.</summary>
    public bool AllowAnyDevice { get; init; }
}
