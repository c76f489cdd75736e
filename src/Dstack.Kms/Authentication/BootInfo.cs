using System.Text.Json;

namespace Dstack.Kms.Authentication;

/// <summary>
/// What the KMS knows about a verified caller, and the auth webhook payload (kms.md §4.1, <c>PolicyBootInfo</c>):
/// serialised with camelCase keys in the spec's order, byte fields as lowercase hex without <c>0x</c>. The TEE kind is
/// sent under both of its names: <c>attestationMode</c> (what policy services up to dstack v0.5.11 read) right after
/// <c>teeVariant</c> (later ones), with the same value.
/// </summary>
internal sealed record BootInfo
{
    /// <summary>TEE variant of TDX under dstack.</summary>
    public const string DstackTdx = "dstack-tdx";

    /// <summary><c>dstack-tdx</c> (the only platform this KMS verifies).</summary>
    public string TeeVariant { get; init; } = DstackTdx;

    /// <summary>SHA-256(MRTD ‖ RTMR0–2 ‖ replayed RTMR3 [‖ MRCONFIGID ‖ MROWNER ‖ MROWNERCONFIG]).</summary>
    public required byte[] MrAggregated { get; init; }

    /// <summary><c>vm_config.os_image_hash</c> (request config if given, else the attestation's); may be empty.</summary>
    public required byte[] OsImageHash { get; init; }

    /// <summary>SHA-256(MRTD ‖ RTMR0–2 ‖ mr_key_provider).</summary>
    public required byte[] MrSystem { get; init; }

    /// <summary>Payload of the <c>app-id</c> event (20 bytes).</summary>
    public required byte[] AppId { get; init; }

    /// <summary>Payload of the <c>compose-hash</c> event.</summary>
    public required byte[] ComposeHash { get; init; }

    /// <summary>Payload of the <c>instance-id</c> event (20 bytes or empty).</summary>
    public required byte[] InstanceId { get; init; }

    /// <summary>SHA-256 of the PPID of the PCK certificate.</summary>
    public required byte[] DeviceId { get; init; }

    /// <summary>Raw <c>key-provider</c> event payload; empty in boot-time mode.</summary>
    public required byte[] KeyProviderInfo { get; init; }

    /// <summary>TCB status of the verified quote.</summary>
    public required string TcbStatus { get; init; }

    /// <summary>Intel advisory ids of the verified quote.</summary>
    public required IReadOnlyList<string> AdvisoryIds { get; init; }

    /// <summary>The webhook JSON.</summary>
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("teeVariant", TeeVariant);
            writer.WriteString("attestationMode", TeeVariant);
            writer.WriteString("mrAggregated", Hex(MrAggregated));
            writer.WriteString("osImageHash", Hex(OsImageHash));
            writer.WriteString("mrSystem", Hex(MrSystem));
            writer.WriteString("appId", Hex(AppId));
            writer.WriteString("composeHash", Hex(ComposeHash));
            writer.WriteString("instanceId", Hex(InstanceId));
            writer.WriteString("deviceId", Hex(DeviceId));
            writer.WriteString("keyProviderInfo", Hex(KeyProviderInfo));
            writer.WriteString("tcbStatus", TcbStatus);
            writer.WriteStartArray("advisoryIds");
            foreach (var id in AdvisoryIds)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Lowercase hex without prefix.</summary>
    public static string Hex(byte[] value) => Convert.ToHexStringLower(value);
}
