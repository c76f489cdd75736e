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

    /// <summary><c>file</c>, <c>webhook</c> or <c>dev</c>; required.</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>Policy file path (kind <c>file</c>).</summary>
    public string? Path { get; set; }

    /// <summary>Webhook base URL (kind <c>webhook</c>).</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Timeout of one webhook call in seconds; default 10.</summary>
    public int WebhookTimeoutSeconds { get; set; } = 10;

    /// <summary>Gateway app id returned by the dev policy; default <c>any</c>.</summary>
    public string DevGatewayAppId { get; set; } = "any";
}
