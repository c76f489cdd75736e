namespace Dstack.Kms.Embedding;

/// <summary>The identity of an embedded KMS as its policy sees it in self-authorization (lowercase hex, no <c>0x</c>).</summary>
public sealed class KmsEmbeddedIdentity
{
    internal KmsEmbeddedIdentity(string appId, string mrAggregated, string deviceId, string osImageHash, string bootInfoJson)
    {
        AppId = appId;
        MrAggregated = mrAggregated;
        DeviceId = deviceId;
        OsImageHash = osImageHash;
        BootInfoJson = bootInfoJson;
    }

    /// <summary>The app id of the KMS's TD.</summary>
    public string AppId { get; }

    /// <summary>The aggregated measurement a policy allows a KMS by (file policy <c>kms.mrAggregated</c>, <c>addKmsAggregatedMr</c>).</summary>
    public string MrAggregated { get; }

    /// <summary>SHA-256 of the PPID (<c>kms.devices</c>, <c>addKmsDevice</c>).</summary>
    public string DeviceId { get; }

    /// <summary>The OS image hash of its <c>vm_config</c> (empty when it has none).</summary>
    public string OsImageHash { get; }

    /// <summary>The whole BootInfo, as the auth webhook receives it on <c>bootAuth/kms</c>.</summary>
    public string BootInfoJson { get; }
}
