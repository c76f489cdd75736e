namespace Dstack.Kms.Configuration;

/// <summary>Replication of the root keys from a running KMS (kms.md §2.3).</summary>
internal sealed class OnboardingOptions
{
    /// <summary>URL of the source KMS; when set and no keys exist, the keys are obtained from it instead of generated.</summary>
    public string? SourceUrl { get; set; }
}
