namespace Dstack.LocalStack;

/// <summary>The command line of <c>dstack-local</c>.</summary>
internal sealed class LocalStackArguments
{
    /// <summary><c>--dir</c>: everything lives here (default <c>./.dstack</c>).</summary>
    public string Directory { get; init; } = LocalStackLayout.DefaultDirectory;

    /// <summary><c>--kms-config</c>: dstack-kms configuration keys (JSON) over the embedded defaults.</summary>
    public string? KmsConfig { get; init; }

    /// <summary><c>--app-id</c>: pins the VM's app id (an on-chain app contract address).</summary>
    public string? AppId { get; init; }

    /// <summary><c>--kms-port</c>: the KMS's loopback port; 0 picks a free one at every start.</summary>
    public int KmsPort { get; init; }
}
