namespace Dstack.Crypto.RaTls;

/// <summary>dstack's private X.509 extension OIDs (arc 1.3.6.1.4.1.62397.1).</summary>
public static class RaTlsOids
{
    /// <summary>Legacy raw TDX quote.</summary>
    public const string LegacyQuote = "1.3.6.1.4.1.62397.1.1";

    /// <summary>Legacy event-log JSON, optionally <c>ELGZv1</c>-prefixed gzip.</summary>
    public const string LegacyEventLog = "1.3.6.1.4.1.62397.1.2";

    /// <summary>App id, 20 raw bytes.</summary>
    public const string AppId = "1.3.6.1.4.1.62397.1.3";

    /// <summary>Special usage, ASCII (<c>app:custom</c>, <c>app:ca</c>, <c>kms:rpc</c>).</summary>
    public const string SpecialUsage = "1.3.6.1.4.1.62397.1.4";

    /// <summary>Stripped <c>VersionedAttestation</c> bytes.</summary>
    public const string Attestation = "1.3.6.1.4.1.62397.1.8";

    /// <summary>App info, msgpack.</summary>
    public const string AppInfo = "1.3.6.1.4.1.62397.1.9";
}
