namespace Dstack.LocalStack;

/// <summary>
/// The directory of <c>dstack-local</c>: <c>kms/</c> (the KMS key store, policy file and simulated TD), <c>vm/</c>
/// (the VM: app-compose, sys-config, instance info, app keys and its simulated TD with the runtime event log) and the
/// two API sockets at the top.
/// </summary>
internal sealed class LocalStackLayout(string directory)
{
    /// <summary>The default directory, relative to the working directory.</summary>
    public const string DefaultDirectory = ".dstack";

    /// <summary>The directory (full path).</summary>
    public string Root { get; } = Path.GetFullPath(directory);

    public string Kms => Path.Combine(Root, "kms");

    public string KmsKeys => Path.Combine(Kms, "keys");

    public string KmsTd => Path.Combine(Kms, "td");

    public string PolicyFile => Path.Combine(Kms, "policy.json");

    /// <summary>The KMS's OS-image bundle cache (<c>Image:CacheDirectory</c>).</summary>
    public string KmsImages => Path.Combine(Kms, "images");

    public string Vm => Path.Combine(Root, "vm");

    public string VmTd => Path.Combine(Vm, Dstack.Agent.Embedding.LocalStackAgent.TdDirectoryName);

    public string DstackSocket => Path.Combine(Root, "dstack.sock");

    public string TappdSocket => Path.Combine(Root, "tappd.sock");
}
