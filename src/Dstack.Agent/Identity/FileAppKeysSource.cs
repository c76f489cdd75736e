using System.Text.Json;
using Dstack.Agent.Api;
using Dstack.Agent.Configuration;
using Dstack.Crypto.Keys;
using Dstack.Crypto.Secp256k1;
using Microsoft.Extensions.Options;

namespace Dstack.Agent.Identity;

/// <summary>
/// Reads <c>k256_key</c> and <c>k256_signature</c> from the app keys file (<c>.appkeys.json</c>, spec §3.1) on first
/// use and keeps the resulting <see cref="AppKeyService"/>; a missing or malformed file is a 400 error and is
/// retried on the next call.
/// </summary>
internal sealed class FileAppKeysSource(IOptions<AgentOptions> options, ISecp256k1 secp256k1) : IAppKeysSource, IDisposable
{
    private const long MaxBytes = 1024 * 1024;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AppKeyService? _service;

    /// <inheritdoc />
    public async Task<AppKeyService> GetAsync(CancellationToken cancellationToken)
    {
        if (_service is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _service ??= await LoadAsync(options.Value.Files.AppKeys, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private async Task<AppKeyService> LoadAsync(string path, CancellationToken cancellationToken)
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
            return new AppKeyService(key, signature, secp256k1);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or RpcException or ArgumentException)
        {
            throw new RpcException($"cannot parse app keys {path}: {ex.Message}", ex);
        }
    }
}
