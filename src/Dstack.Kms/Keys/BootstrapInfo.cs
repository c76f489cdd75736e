using System.Text;
using System.Text.Json;

namespace Dstack.Kms.Keys;

/// <summary>
/// The public record of a bootstrap (kms.md §2.2): the root CA SubjectPublicKeyInfo, the compressed k256 root public key,
/// and the KMS's own attestation whose report data binds both. Stored as <c>bootstrap-info.json</c> with hex values.
/// </summary>
/// <param name="CaPublicKey">Root CA SPKI DER (91 bytes).</param>
/// <param name="K256PublicKey">33-byte compressed k256 root public key.</param>
/// <param name="Attestation">V0 attestation bytes whose report data is the bootstrap binding.</param>
internal sealed record BootstrapInfo(byte[] CaPublicKey, byte[] K256PublicKey, byte[] Attestation)
{
    /// <summary>Serialises as <c>{"ca_pubkey":"hex","k256_pubkey":"hex","attestation":"hex"}</c>.</summary>
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("ca_pubkey", Convert.ToHexStringLower(CaPublicKey));
            writer.WriteString("k256_pubkey", Convert.ToHexStringLower(K256PublicKey));
            writer.WriteString("attestation", Convert.ToHexStringLower(Attestation));
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Parses the JSON form; null when it is not valid.</summary>
    public static BootstrapInfo? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(json));
            var root = document.RootElement;
            return new BootstrapInfo(
                Convert.FromHexString(root.GetProperty("ca_pubkey").GetString() ?? ""),
                Convert.FromHexString(root.GetProperty("k256_pubkey").GetString() ?? ""),
                Convert.FromHexString(root.GetProperty("attestation").GetString() ?? ""));
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
