namespace Dstack.Kms.Configuration;

/// <summary>The authorization backend.</summary>
internal sealed class PolicyOptions
{
    /// <summary>Kind value of the operator-managed JSON allow-list.</summary>
    public const string File = "file";

    /// <summary>Kind value of the HTTP auth webhook (dstack auth-api).</summary>
    public const string Webhook = "webhook";

    /// <summary>Kind value of the allow-everything development policy.</summary>
    public const string Dev = "dev";

    /// <summary>Kind value of the on-chain policy (<c>DstackKms.isAppAllowed</c>/<c>isKmsAllowed</c> by <c>eth_call</c>).</summary>
    public const string OnChain = "onchain";

    /// <summary><c>file</c>, <c>webhook</c>, <c>onchain</c> or <c>dev</c>; required.</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>Policy file path (kind <c>file</c>).</summary>
    public string? Path { get; set; }

    /// <summary>Webhook base URL (kind <c>webhook</c>).</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Timeout of one webhook call in seconds; default 10.</summary>
    public int WebhookTimeoutSeconds { get; set; } = 10;

    /// <summary>Gateway app id returned by the dev policy; default <c>any</c>.</summary>
    public string DevGatewayAppId { get; set; } = "any";

    /// <summary>Ethereum JSON-RPC URLs, tried in order with failover (kind <c>onchain</c>).</summary>
    public List<string> RpcUrls { get; set; } = [];

    /// <summary>The chain the <see cref="KmsContract"/> lives on; checked against <c>eth_chainId</c> (kind <c>onchain</c>).</summary>
    public ulong ChainId { get; set; }

    /// <summary>Address of the <c>DstackKms</c> proxy (kind <c>onchain</c>).</summary>
    public string? KmsContract { get; set; }

    /// <summary>Block read at: <c>latest</c>, <c>safe</c>, <c>finalized</c> or <c>head-N</c> (kind <c>onchain</c>); default <c>latest</c>.</summary>
    public string BlockTag { get; set; } = "latest";

    /// <summary>Timeout of one JSON-RPC request in seconds (kind <c>onchain</c>); default 10.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Self-authorization: the KMS releases keys only while its policy allows the KMS itself (its own verified attestation
    /// through <c>isKmsAllowed</c>, <c>bootAuth/kms</c> or the policy file's <c>kms</c> section); default true.
    /// </summary>
    public bool EnforceSelfAuthorization { get; set; } = true;

    /// <summary>Seconds between two periodic self-authorization checks (1..86400); default 60.</summary>
    public int SelfAuthorizationIntervalSeconds { get; set; } = 60;
}
