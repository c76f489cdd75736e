using System.Security.Cryptography;
using System.Text.Json;
using Dstack.Agent.Configuration;
using Dstack.Attestation.Storage;

namespace Dstack.Agent.Boot;

/// <summary>
/// What the boot reads from the host share and computes from it before measuring anything (tdx-boot §4.2 steps 3–9,
/// §4.4, §5): the exact app-compose bytes and their SHA-256, app id, instance id (from the persisted seed), the key
/// provider, the KMS URLs, <c>vm_config</c>, <c>allowed_envs</c> and the storage choice.
/// </summary>
internal sealed class BootInputs
{
    /// <summary>Step name used in errors.</summary>
    public const string Step = "read inputs";

    private const long MaxComposeBytes = 50L * 1024 * 1024;
    private const long MaxSysConfigBytes = 32 * 1024;
    private const long MaxInstanceInfoBytes = 10 * 1024;

    /// <summary>SHA-256 of the app-compose bytes as delivered.</summary>
    public required byte[] ComposeHash { get; init; }

    /// <summary><c>.instance_info.app_id</c> or the first 20 bytes of the compose hash.</summary>
    public required byte[] AppId { get; init; }

    /// <summary>The persisted (or freshly drawn) instance-id seed.</summary>
    public required byte[] InstanceIdSeed { get; init; }

    /// <summary>SHA-256(seed ‖ app_id)[..20], or empty with <c>no_instance_id</c>.</summary>
    public required byte[] InstanceId { get; init; }

    /// <summary><c>none</c>, <c>kms</c>, <c>local</c> or <c>tpm</c>.</summary>
    public required string KeyProvider { get; init; }

    /// <summary>The pinned key-provider id of the compose (<c>key_provider_id</c>), or empty.</summary>
    public required byte[] KeyProviderId { get; init; }

    /// <summary><c>sys_config.kms_urls</c>, in order.</summary>
    public required IReadOnlyList<string> KmsUrls { get; init; }

    /// <summary><c>sys_config.vm_config</c>, the string as delivered.</summary>
    public required string VmConfig { get; init; }

    /// <summary><c>allowed_envs</c> of the compose.</summary>
    public required IReadOnlyList<string> AllowedEnvs { get; init; }

    /// <summary><c>zfs</c> or <c>ext4</c>.</summary>
    public required string StorageFs { get; init; }

    /// <summary>Whether the data disk is encrypted.</summary>
    public required bool StorageEncrypted { get; init; }

    /// <summary>Reads the files; a missing seed is drawn fresh (and must then be persisted with <see cref="WriteInstanceInfoAsync"/>).</summary>
    /// <exception cref="BootException">A file is missing, too large or malformed.</exception>
    public static async Task<BootInputs> LoadAsync(FilesOptions files, BootOptions boot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(boot);
        var composeBytes = await ReadAsync(files.AppCompose, MaxComposeBytes, required: true, cancellationToken).ConfigureAwait(false);
        var sysConfigBytes = await ReadAsync(files.SysConfig, MaxSysConfigBytes, required: true, cancellationToken).ConfigureAwait(false);
        var instanceBytes = await ReadAsync(files.InstanceInfo, MaxInstanceInfoBytes, required: false, cancellationToken).ConfigureAwait(false);
        var cmdline = await ReadAsync(boot.KernelCommandLine, 64 * 1024, required: false, cancellationToken).ConfigureAwait(false);

        var composeHash = SHA256.HashData(composeBytes!);
        using var compose = Parse(files.AppCompose, composeBytes!);
        using var sysConfig = Parse(files.SysConfig, sysConfigBytes!);
        var composeRoot = compose.RootElement;
        var sysRoot = sysConfig.RootElement;

        byte[] appId = [];
        byte[] seed = [];
        if (instanceBytes is not null)
        {
            using var instance = Parse(files.InstanceInfo, instanceBytes);
            appId = Hex(instance.RootElement, "app_id", files.InstanceInfo);
            seed = Hex(instance.RootElement, "instance_id_seed", files.InstanceInfo);
        }

        if (appId.Length == 0)
        {
            appId = composeHash[..20];
        }

        if (appId.Length != 20)
        {
            throw new BootException(Step, $"{files.InstanceInfo}: app_id must be 20 bytes, got {appId.Length}");
        }

        if (seed.Length == 0)
        {
            seed = RandomNumberGenerator.GetBytes(20);
        }

        var noInstanceId = Bool(composeRoot, "no_instance_id", files.AppCompose);
        var (storageFs, encrypted) = StorageChoice(composeRoot, files.AppCompose, cmdline is null ? "" : System.Text.Encoding.UTF8.GetString(cmdline));
        return new BootInputs
        {
            ComposeHash = composeHash,
            AppId = appId,
            InstanceIdSeed = seed,
            InstanceId = noInstanceId ? [] : SHA256.HashData([.. seed, .. appId])[..20],
            KeyProvider = KeyProviderOf(composeRoot, files.AppCompose),
            KeyProviderId = Hex(composeRoot, "key_provider_id", files.AppCompose),
            KmsUrls = Strings(sysRoot, "kms_urls", files.SysConfig),
            VmConfig = sysRoot.ValueKind == JsonValueKind.Object && sysRoot.TryGetProperty("vm_config", out var vm) && vm.ValueKind == JsonValueKind.String
                ? vm.GetString()!
                : throw new BootException(Step, $"{files.SysConfig} has no vm_config string"),
            AllowedEnvs = Strings(composeRoot, "allowed_envs", files.AppCompose),
            StorageFs = storageFs,
            StorageEncrypted = encrypted,
        };
    }

    /// <summary>Persists <c>{"instance_id_seed","instance_id","app_id"}</c> (the seed must survive for the next boot).</summary>
    public async Task WriteInstanceInfoAsync(string path, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("instance_id_seed", Convert.ToHexStringLower(InstanceIdSeed));
            writer.WriteString("instance_id", Convert.ToHexStringLower(InstanceId));
            writer.WriteString("app_id", Convert.ToHexStringLower(AppId));
            writer.WriteEndObject();
        }

        try
        {
            await SecureFile.WriteAsync(path, buffer.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BootException("write instance info", $"{path}: {ex.Message}", ex);
        }
    }

    private static string KeyProviderOf(JsonElement compose, string path)
    {
        if (compose.TryGetProperty("key_provider", out var provider) && provider.ValueKind != JsonValueKind.Null)
        {
            var name = provider.ValueKind == JsonValueKind.String ? provider.GetString()! : "";
            return name is "none" or "kms" or "local" or "tpm"
                ? name
                : throw new BootException(Step, $"{path}: key_provider must be none, kms, local or tpm, got {provider.GetRawText()}");
        }

        return Bool(compose, "kms_enabled", path) ? "kms" : Bool(compose, "local_key_provider_enabled", path) ? "local" : "none";
    }

    private static (string Fs, bool Encrypted) StorageChoice(JsonElement compose, string path, string cmdline)
    {
        var fs = "zfs";
        var encrypted = true;
        foreach (var option in cmdline.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (option.StartsWith("dstack.storage_fs=", StringComparison.Ordinal))
            {
                fs = option["dstack.storage_fs=".Length..];
            }
            else if (option.StartsWith("dstack.storage_encrypted=", StringComparison.Ordinal))
            {
                encrypted = option["dstack.storage_encrypted=".Length..] switch
                {
                    "0" or "false" or "no" or "off" => false,
                    "1" or "true" or "yes" or "on" => true,
                    var other => throw new BootException(Step, $"kernel option dstack.storage_encrypted has an invalid value '{other}'"),
                };
            }
        }

        if (compose.TryGetProperty("storage_fs", out var composeFs) && composeFs.ValueKind == JsonValueKind.String)
        {
            fs = composeFs.GetString()!;
        }

        fs = fs.ToLowerInvariant();
        return fs is "zfs" or "ext4" ? (fs, encrypted) : throw new BootException(Step, $"{path}: storage_fs must be zfs or ext4, got '{fs}'");
    }

    private static async Task<byte[]?> ReadAsync(string path, long limit, bool required, CancellationToken cancellationToken)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return required ? throw new BootException(Step, $"{path} does not exist") : null;
            }

            return info.Length > limit
                ? throw new BootException(Step, $"{path} is larger than {limit} bytes")
                : await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BootException(Step, $"cannot read {path}: {ex.Message}", ex);
        }
    }

    private static JsonDocument Parse(string path, byte[] bytes)
    {
        try
        {
            var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new BootException(Step, $"{path} must hold a JSON object");
            }

            return document;
        }
        catch (JsonException ex)
        {
            throw new BootException(Step, $"{path} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static bool Bool(JsonElement element, string name, string path) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw new BootException(Step, $"{path}: {name} must be a boolean"),
        } : false;

    private static byte[] Hex(JsonElement element, string name, string path)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new BootException(Step, $"{path}: {name} must be a hex string");
        try
        {
            return Convert.FromHexString(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text);
        }
        catch (FormatException ex)
        {
            throw new BootException(Step, $"{path}: {name} is not valid hex", ex);
        }
    }

    private static List<string> Strings(JsonElement element, string name, string path)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            throw new BootException(Step, $"{path}: {name} must be an array of strings");
        }

        return [.. value.EnumerateArray().Select(v => v.GetString()!)];
    }
}
