namespace Dstack.Kms.Configuration;

/// <summary>Replication of the root keys from a running KMS (kms.md §2.3).</summary>
internal sealed class OnboardingOptions
{
    /// <summary>URL of the source KMS; when set and no keys exist, the keys are obtained from it instead of generated.</summary>
    public string? SourceUrl { get; set; }

    /// <summary>
    /// This instance's <c>vm_config</c> JSON (as a guest agent's <c>Info.vm_config</c>), sent with <c>GetKmsKey</c> so that
    /// the source's policy sees this instance's <c>os_image_hash</c>; empty = none.
    /// </summary>
    public string VmConfig { get; set; } = string.Empty;
}
