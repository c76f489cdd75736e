using System.Text;

namespace Dstack.Agent.Boot;

/// <summary>The <c>key-provider</c> event payload: compact JSON <c>{"name":…,"id":"&lt;hex&gt;"}</c>, name first (tdx-boot §4.2 step 13).</summary>
internal static class KeyProviderPayload
{
    /// <summary>The payload for a KMS whose root CA key is <paramref name="rootCaSubjectPublicKeyInfo"/>.</summary>
    public static byte[] Kms(ReadOnlySpan<byte> rootCaSubjectPublicKeyInfo) =>
        Encoding.UTF8.GetBytes("{\"name\":\"kms\",\"id\":\"" + Convert.ToHexStringLower(rootCaSubjectPublicKeyInfo) + "\"}");

    /// <summary>The KMS root CA SPKI a measured payload names, or null when it is not a KMS payload.</summary>
    public static byte[]? ReadKmsId(byte[] payload)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(payload);
            var root = document.RootElement;
            return root.ValueKind == System.Text.Json.JsonValueKind.Object
                && root.TryGetProperty("name", out var name) && name.GetString() == "kms"
                && root.TryGetProperty("id", out var id) && id.ValueKind == System.Text.Json.JsonValueKind.String
                ? Convert.FromHexString(id.GetString()!)
                : null;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
