namespace Dstack.Agent.Embedding;

/// <summary>The identity of a local-stack VM directory, known before it boots (what a KMS policy must allow).</summary>
public sealed class LocalStackVm
{
    internal LocalStackVm(string directory, string appId, string composeHash, string osImageHash)
    {
        Directory = directory;
        AppId = appId;
        ComposeHash = composeHash;
        OsImageHash = osImageHash;
    }

    /// <summary>The VM directory (full path).</summary>
    public string Directory { get; }

    /// <summary>The app id the boot will measure, 40 lowercase hex digits (<c>instance_info.app_id</c>, else the compose hash's first 20 bytes).</summary>
    public string AppId { get; }

    /// <summary>SHA-256 of the exact app-compose bytes, lowercase hex.</summary>
    public string ComposeHash { get; }

    /// <summary>The <c>os_image_hash</c> of the sys-config's <c>vm_config</c>, lowercase hex.</summary>
    public string OsImageHash { get; }
}
