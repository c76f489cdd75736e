using System.Text.Json;

namespace Dstack.EndToEnd.Tests.Support;

/// <summary>The <c>.appkeys.json</c> the boot writes (guest-agent-api §3.1), with the KMS key provider.</summary>
internal sealed record AppKeys(
    byte[] DiskCryptKey,
    byte[] EnvCryptKey,
    byte[] K256Key,
    byte[] K256Signature,
    string GatewayAppId,
    string CaCert,
    string KmsUrl,
    byte[] KmsRootCaPublicKey)
{
    public static AppKeys Parse(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var kms = root.GetProperty("key_provider").GetProperty("Kms");
        return new AppKeys(
            Hex(root, "disk_crypt_key"),
            Hex(root, "env_crypt_key"),
            Hex(root, "k256_key"),
            Hex(root, "k256_signature"),
            root.GetProperty("gateway_app_id").GetString()!,
            root.GetProperty("ca_cert").GetString()!,
            kms.GetProperty("url").GetString()!,
            Hex(kms, "pubkey"));
    }

    private static byte[] Hex(JsonElement element, string name) => Convert.FromHexString(element.GetProperty(name).GetString()!);
}
