using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dstack.Agent.Api;
using Dstack.Agent.Configuration;
using Dstack.Agent.Platform;
using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;
using Microsoft.Extensions.Options;

namespace Dstack.Agent.Identity;

/// <summary>
/// Reads the identity from the boot sequence's files. App id, instance id, compose hash and key-provider info are
/// taken, as dstack does, from the first matching runtime (RTMR3) events before <c>system-ready</c> — the measured
/// values. Where the runtime log lacks one (or does not exist, e.g. before boot finished), it is computed from the
/// files as the boot sequence computes it: compose hash = SHA-256(app-compose bytes), app id =
/// <c>.instance_info.app_id</c> or the first 20 bytes of the compose hash, instance id = <c>.instance_info.instance_id</c>.
/// The identity is read again only when the runtime log grew or one of the files changed (its length, modification or
/// birth time: the boot sequence writes them once, by replacing them); otherwise the same instance is returned. The DMI
/// strings (cloud vendor and product) are read once.
/// </summary>
internal sealed class FileAppIdentitySource(IOptions<AgentOptions> options, TdxPlatform platform) : IAppIdentitySource
{
    private const long MaxComposeBytes = 50L * 1024 * 1024;
    private const long MaxSmallFileBytes = 1024 * 1024;

    private Read? _last;
    private (string Vendor, string Product)? _dmi;

    /// <inheritdoc />
    public async Task<AppIdentity> GetAsync(CancellationToken cancellationToken)
    {
        var files = options.Value.Files;
        RuntimeEventLogSnapshot log;
        try
        {
            log = await platform.Events.ReadSnapshotAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EventLogFormatException ex)
        {
            throw new RpcException($"cannot read the runtime event log {platform.Events.LogPath}: {ex.Message}", ex);
        }

        // stamps first: a file that changes while it is read gets a new stamp, so the next call reads it again
        FileStamp[] stamps = [FileStamp.Of(files.AppCompose), FileStamp.Of(files.SysConfig), FileStamp.Of(files.InstanceInfo)];
        if (_last is { } last && last.Log == log && last.Stamps.AsSpan().SequenceEqual(stamps))
        {
            return last.Identity;
        }

        var dmi = _dmi ??= await ReadDmiAsync(files.DmiDirectory, cancellationToken).ConfigureAwait(false);
        var identity = await ReadAsync(files, log.Events, dmi, cancellationToken).ConfigureAwait(false);
        _last = new Read(stamps, log, identity);
        return identity;
    }

    private static async Task<AppIdentity> ReadAsync(FilesOptions files, IReadOnlyList<RuntimeEvent> events, (string Vendor, string Product) dmi, CancellationToken cancellationToken)
    {
        var composeBytes = await ReadAsync(files.AppCompose, MaxComposeBytes, required: true, cancellationToken).ConfigureAwait(false);
        var sysConfigBytes = await ReadAsync(files.SysConfig, MaxSmallFileBytes, required: true, cancellationToken).ConfigureAwait(false);
        var instanceBytes = await ReadAsync(files.InstanceInfo, MaxSmallFileBytes, required: false, cancellationToken).ConfigureAwait(false);

        var composeText = Encoding.UTF8.GetString(composeBytes!);
        string appName;
        bool publicTcbInfo;
        using (var compose = Parse(files.AppCompose, composeBytes!))
        {
            appName = compose.RootElement.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "";
            publicTcbInfo = !compose.RootElement.TryGetProperty("public_tcbinfo", out var tcb) || tcb.ValueKind != JsonValueKind.False;
        }

        string vmConfig;
        using (var sysConfig = Parse(files.SysConfig, sysConfigBytes!))
        {
            vmConfig = sysConfig.RootElement.TryGetProperty("vm_config", out var vm) && vm.ValueKind == JsonValueKind.String
                ? vm.GetString()!
                : throw new RpcException($"{files.SysConfig} has no vm_config string");
        }

        var composeHash = AppInfoCalculator.FindPayload(events, "compose-hash") ?? SHA256.HashData(composeBytes!);
        var instanceAppId = Array.Empty<byte>();
        var instanceId = Array.Empty<byte>();
        if (instanceBytes is not null)
        {
            using var instance = Parse(files.InstanceInfo, instanceBytes);
            instanceAppId = HexProperty(instance.RootElement, "app_id", files.InstanceInfo);
            instanceId = HexProperty(instance.RootElement, "instance_id", files.InstanceInfo);
        }

        return new AppIdentity
        {
            AppId = AppInfoCalculator.FindPayload(events, "app-id") ?? (instanceAppId.Length > 0 ? instanceAppId : composeHash[..20]),
            InstanceId = AppInfoCalculator.FindPayload(events, "instance-id") ?? instanceId,
            ComposeHash = composeHash,
            KeyProviderInfo = AppInfoCalculator.FindPayload(events, "key-provider") is { } keyProvider ? Encoding.UTF8.GetString(keyProvider) : "",
            AppName = appName,
            AppCompose = composeText,
            PublicTcbInfo = publicTcbInfo,
            VmConfig = vmConfig,
            OsImageHash = OsImageHash(vmConfig),
            CloudVendor = dmi.Vendor,
            CloudProduct = dmi.Product,
        };
    }

    private static async Task<byte[]?> ReadAsync(string path, long limit, bool required, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return required ? throw new RpcException($"cannot read {path}: file not found") : null;
        }

        if (info.Length > limit)
        {
            throw new RpcException($"cannot read {path}: larger than {limit} bytes");
        }

        return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
    }

    private static JsonDocument Parse(string path, byte[] bytes)
    {
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new RpcException($"cannot parse {path}: {ex.Message}", ex);
        }
    }

    private static byte[] HexProperty(JsonElement element, string name, string path)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return [];
        }

        try
        {
            return Hex.Decode(name, value.GetString()!);
        }
        catch (RpcException ex)
        {
            throw new RpcException($"cannot parse {path}: {ex.Message}", ex);
        }
    }

    private static byte[] OsImageHash(string vmConfig)
    {
        try
        {
            using var document = JsonDocument.Parse(vmConfig);
            return HexProperty(document.RootElement, "os_image_hash", "vm_config");
        }
        catch (JsonException)
        {
            return [];
        }
    }

    // the firmware's DMI strings do not change while the VM runs: read once
    private static async Task<(string Vendor, string Product)> ReadDmiAsync(string directory, CancellationToken cancellationToken) =>
        (await DmiAsync(directory, "sys_vendor", cancellationToken).ConfigureAwait(false),
         await DmiAsync(directory, "product_name", cancellationToken).ConfigureAwait(false));

    private static async Task<string> DmiAsync(string directory, string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await File.ReadAllTextAsync(Path.Combine(directory, name), cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>An identity and the stamps and runtime log it was read from.</summary>
    private sealed record Read(FileStamp[] Stamps, RuntimeEventLogSnapshot Log, AppIdentity Identity);

    /// <summary>What tells a rewritten file from the one read before: existence, length, modification and birth time.</summary>
    private readonly record struct FileStamp(bool Exists, long Length, DateTime Modified, DateTime Born)
    {
        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(true, info.Length, info.LastWriteTimeUtc, info.CreationTimeUtc) : default;
        }
    }
}
