using System.Text.Encodings.Web;
using System.Text.Json;
using Dstack.Attestation.Storage;

namespace Dstack.Agent.Boot;

/// <summary>
/// Writes <c>.appkeys.json</c> in the format the socket API reads (guest-agent-api §3.1, tdx-boot §4.6): compact JSON,
/// byte fields as lowercase hex, <c>key_provider</c> externally tagged (<c>{"Kms":{url,pubkey,tmp_ca_key,tmp_ca_cert}}</c>),
/// mode 0600, written to a temporary file, fsynced and renamed into place.
/// </summary>
internal static class AppKeysFile
{
    /// <summary>Step name used in errors.</summary>
    public const string Step = "write app keys";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The file contents for keys released by a KMS.</summary>
    public static byte[] Format(KmsAppKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var response = keys.Response;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("disk_crypt_key", Convert.ToHexStringLower(response.DiskCryptKey.Span));
            writer.WriteString("env_crypt_key", Convert.ToHexStringLower(response.EnvCryptKey.Span));
            writer.WriteString("k256_key", Convert.ToHexStringLower(response.K256Key.Span));
            writer.WriteString("k256_signature", Convert.ToHexStringLower(response.K256Signature.Span));
            writer.WriteString("gateway_app_id", response.GatewayAppId);
            writer.WriteString("ca_cert", response.CaCert);
            writer.WriteStartObject("key_provider");
            writer.WriteStartObject("Kms");
            writer.WriteString("url", keys.Url);
            writer.WriteString("pubkey", Convert.ToHexStringLower(keys.RootCaSubjectPublicKeyInfo));
            writer.WriteString("tmp_ca_key", keys.TempCaKeyPem);
            writer.WriteString("tmp_ca_cert", keys.TempCaCertificatePem);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Writes the file.</summary>
    public static async Task WriteAsync(string path, KmsAppKeys keys, CancellationToken cancellationToken)
    {
        var bytes = Format(keys);
        try
        {
            await SecureFile.WriteAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BootException(Step, $"{path}: {ex.Message}", ex);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
