using System.Text.Json;
using Dstack.Agent.Api;
using Dstack.Agent.Configuration;
using Dstack.Crypto.Keys;
using Dstack.Crypto.Secp256k1;
using Microsoft.Extensions.Options;

namespace Dstack.Agent.Identity;

/// <summary>
/// Reads the app keys file (<c>.appkeys.json</c>, spec §3.1) on first use and keeps the result: <c>k256_key</c> and
/// <c>k256_signature</c> for the key service, the disk/env keys, and who signs certificates (<c>ca_cert</c> with the key of the
/// None/Local/Tpm key provider, or the KMS of a Kms key provider). A missing or malformed file is a 400 error and is retried on the next call.
/// </summary>
internal sealed class FileAppKeysSource(IOptions<AgentOptions> options, ISecp256k1 secp256k1) : IAppKeysSource, IDisposable
{
    private const long MaxBytes = 1024 * 1024;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AppKeys? _keys;

    /// <inheritdoc />
    public async Task<AppKeys> GetAsync(CancellationToken cancellationToken)
    {
        if (_keys is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _keys ??= await LoadAsync(options.Value.Files.AppKeys, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private async Task<AppKeys> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length > MaxBytes)
        {
            throw new RpcException($"cannot read app keys {path}: {(info.Exists ? "file too large" : "file not found")}");
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var key = Hex.Decode("k256_key", root.GetProperty("k256_key").GetString() ?? "");
            var signature = root.TryGetProperty("k256_signature", out var s) && s.ValueKind == JsonValueKind.String
                ? Hex.Decode("k256_signature", s.GetString()!)
                : [];
            var (authority, kms, problem) = ReadCertificateAuthority(root);
            return new AppKeys
            {
                KeyService = new AppKeyService(key, signature, secp256k1),
                CertificateAuthority = authority,
                Kms = kms,
                CertificateAuthorityProblem = problem,
                DiskCryptKey = OptionalHex(root, "disk_crypt_key"),
                EnvCryptKey = OptionalHex(root, "env_crypt_key"),
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or RpcException or ArgumentException
            or Dstack.Crypto.DstackCryptoException or System.Security.Cryptography.CryptographicException)
        {
            throw new RpcException($"cannot parse app keys {path}: {ex.Message}", ex);
        }
    }

    private static byte[] OptionalHex(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? Hex.Decode(name, value.GetString()!) : [];

    /// <summary>
    /// The local CA: <c>ca_cert</c> with the key of a <c>None</c>, <c>Local</c> or <c>Tpm</c> key provider; or, for a
    /// <c>Kms</c> key provider, the KMS at its <c>url</c> with <c>ca_cert</c> as its root CA (checked against its
    /// <c>pubkey</c>), which signs certificates itself.
    /// </summary>
    private static (AppCertificateAuthority? Authority, KmsCertificateAuthority? Kms, string Problem) ReadCertificateAuthority(JsonElement root)
    {
        if (!root.TryGetProperty("ca_cert", out var caCert) || caCert.ValueKind != JsonValueKind.String || caCert.GetString()!.Length == 0)
        {
            return (null, null, "the app keys have no ca_cert");
        }

        if (!root.TryGetProperty("key_provider", out var provider) || provider.ValueKind != JsonValueKind.Object)
        {
            return (null, null, "the app keys have no key_provider");
        }

        foreach (var variant in provider.EnumerateObject())
        {
            if (variant.Name is "None" or "Local" or "Tpm"
                && variant.Value.ValueKind == JsonValueKind.Object
                && variant.Value.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String)
            {
                var scalar = Dstack.Crypto.Encodings.P256KeyEncoding.ReadPrivateKeyPem(key.GetString()!);
                try
                {
                    return (new AppCertificateAuthority(caCert.GetString()!, scalar), null, "");
                }
                finally
                {
                    System.Security.Cryptography.CryptographicOperations.ZeroMemory(scalar);
                }
            }

            if (variant.Name == "Kms" && variant.Value.ValueKind == JsonValueKind.Object)
            {
                if (!variant.Value.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String || url.GetString()!.Length == 0)
                {
                    return (null, null, "the key provider is a KMS but the app keys do not record its url");
                }

                var pubkey = variant.Value.TryGetProperty("pubkey", out var p) && p.ValueKind == JsonValueKind.String ? Hex.Decode("pubkey", p.GetString()!) : [];
                return (null, new KmsCertificateAuthority(url.GetString()!, caCert.GetString()!, pubkey), "");
            }
        }

        return (null, null, "the key provider has no CA key");
    }
}
