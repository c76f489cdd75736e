using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dstack.Agent.Cli;
using Dstack.Agent.Dev;
using Dstack.Agent.Hosting;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Simulation;

namespace Dstack.Agent.Embedding;

/// <summary>
/// The agent for a host that runs it next to a KMS (the simulated local stack, <c>dstack-local</c>): a VM directory
/// laid out like the host share of a CVM, a simulated TD inside it, and <c>dstack-agent run</c> with its boot stage
/// against the KMS URL of the sys-config over the real gRPC + RA-TLS path. This is the agent's only public entry point;
/// everything else stays internal.
/// </summary>
/// <remarks>
/// VM directory: <c>app-compose.json</c> (the sample app on first start), <c>sys-config.json</c> (<c>kms_urls</c>,
/// <c>vm_config</c>), <c>instance_info</c>, <c>appkeys.json</c> (the keys the KMS released), the decrypted env files,
/// and <c>td/</c>, the simulated TD (mock DCAP seed, registers, runtime event log).
/// </remarks>
public static class LocalStackAgent
{
    /// <summary>The app manifest in the VM directory.</summary>
    public const string ComposeFileName = "app-compose.json";

    /// <summary>The host-supplied config in the VM directory.</summary>
    public const string SysConfigFileName = "sys-config.json";

    /// <summary>The instance info in the VM directory.</summary>
    public const string InstanceInfoFileName = "instance_info";

    /// <summary>The app keys the boot obtained from the KMS.</summary>
    public const string AppKeysFileName = "appkeys.json";

    /// <summary>The simulated TD's state directory inside the VM directory.</summary>
    public const string TdDirectoryName = "td";

    private static readonly JsonSerializerOptions AppKeysJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Creates what is missing in <paramref name="vmDirectory"/> (the sample app-compose, a sys-config, with
    /// <paramref name="appId"/> an <c>instance_info</c> pinning it), points the sys-config's <c>kms_urls</c> at
    /// <paramref name="kmsUrl"/> (rewritten at every start: it is not measured), as is the KMS URL recorded in the app keys of
    /// an earlier boot (the same KMS, on the port of this start: it signs the app's certificates), and returns the
    /// identity the boot will measure.
    /// </summary>
    /// <param name="vmDirectory">The VM directory (created if missing).</param>
    /// <param name="kmsUrl">The KMS, an absolute <c>https://</c> URL.</param>
    /// <param name="appId">The 20-byte app id to pin (an on-chain app contract), or null for the compose hash's prefix.</param>
    /// <exception cref="ArgumentException"><paramref name="kmsUrl"/> is not https, or <paramref name="appId"/> is not 20 bytes.</exception>
    /// <exception cref="InvalidDataException">A file of the directory is malformed, or pins another app id.</exception>
    /// <exception cref="IOException">A file cannot be read or written.</exception>
    public static LocalStackVm PrepareVm(string vmDirectory, Uri kmsUrl, byte[]? appId)
    {
        ArgumentException.ThrowIfNullOrEmpty(vmDirectory);
        ArgumentNullException.ThrowIfNull(kmsUrl);
        if (!kmsUrl.IsAbsoluteUri || kmsUrl.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"the KMS URL must be an absolute https:// URL, got '{kmsUrl}'", nameof(kmsUrl));
        }

        if (appId is { Length: not 20 } wrong)
        {
            throw new ArgumentException($"an app id is 20 bytes, got {wrong.Length}", nameof(appId));
        }

        var pinned = (byte[]?)appId?.Clone();
        var directory = Path.GetFullPath(vmDirectory);
        Directory.CreateDirectory(directory);
        var composePath = Path.Combine(directory, ComposeFileName);
        if (!File.Exists(composePath))
        {
            File.WriteAllBytes(composePath, DevState.SampleCompose());
        }

        var composeHash = SHA256.HashData(File.ReadAllBytes(composePath));
        var osImageHash = WriteSysConfig(
            Path.Combine(directory, SysConfigFileName), kmsUrl.GetLeftPart(UriPartial.Authority), SimulatedBootImage.Load(Path.Combine(directory, TdDirectoryName)).VmConfig);
        RepointAppKeys(Path.Combine(directory, AppKeysFileName), kmsUrl.GetLeftPart(UriPartial.Authority));
        var measuredAppId = PinAppId(Path.Combine(directory, InstanceInfoFileName), pinned) ?? composeHash[..20];
        return new LocalStackVm(directory, Convert.ToHexStringLower(measuredAppId), Convert.ToHexStringLower(composeHash), osImageHash);
    }

    /// <summary>
    /// Boots the VM of <see cref="LocalStackAgentSettings.VmDirectory"/> against its KMS unless it has booted (its
    /// keys file exists), then serves both sockets until <paramref name="cancellationToken"/> fires; the sockets are
    /// removed on the way out. Returns the exit code: 0 stopped, 1 the boot or start-up failed (the KMS's refusal is
    /// in the message), 2 invalid configuration. Failures are reported on <see cref="LocalStackAgentSettings.Error"/>.
    /// </summary>
    public static async Task<int> RunAsync(LocalStackAgentSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var vm = Path.GetFullPath(settings.VmDirectory);
        var sockets = Path.GetFullPath(settings.SocketDirectory);
        var td = Path.Combine(vm, TdDirectoryName);
        var eventLog = Path.Combine(td, RuntimeEventLog.FileName);
        var dstackSocket = Path.Combine(sockets, "dstack.sock");
        var tappdSocket = Path.Combine(sockets, "tappd.sock");
        try
        {
            Directory.CreateDirectory(sockets);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await settings.Error.WriteLineAsync($"dstack-agent: socket directory {sockets}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        var eventsBefore = CountLines(eventLog);
        var host = new AgentHostSettings
        {
            ConfigurationValues = new Dictionary<string, string?>
            {
                ["Sockets:Dstack"] = dstackSocket,
                ["Sockets:Tappd"] = tappdSocket,
                ["Files:AppCompose"] = Path.Combine(vm, ComposeFileName),
                ["Files:SysConfig"] = Path.Combine(vm, SysConfigFileName),
                ["Files:InstanceInfo"] = Path.Combine(vm, InstanceInfoFileName),
                ["Files:AppKeys"] = Path.Combine(vm, AppKeysFileName),
                ["Files:EncryptedEnv"] = Path.Combine(vm, "encrypted-env"),
                ["Files:DecryptedEnv"] = Path.Combine(vm, "decrypted-env"),
                ["Files:DecryptedEnvJson"] = Path.Combine(vm, "decrypted-env.json"),
                ["Tdx:Mode"] = "simulated",
                ["Tdx:StateDirectory"] = td,
                ["Boot:BeforeServing"] = "true",
                // no kernel options on a laptop: the compose and the defaults decide the storage choice
                ["Boot:KernelCommandLine"] = Path.Combine(vm, "cmdline"),
                // the KMS runs beside the agent: a KMS that does not answer within a minute will not
                ["Boot:KmsRetryTimeoutSeconds"] = "60",
            },
            Environment = ProcessEnvironment.From(new Dictionary<string, string?>()),
            ConfigureLogging = settings.ConfigureLogging,
        };

        return await RunCommand.RunAsync(host, settings.Error, cancellationToken, async () =>
        {
            if (settings.Started is null)
            {
                return;
            }

            var (appId, instanceId) = ReadInstanceInfo(Path.Combine(vm, InstanceInfoFileName));
            var composeHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(vm, ComposeFileName), cancellationToken).ConfigureAwait(false)));
            await settings.Started(new LocalStackAgentStarted(dstackSocket, tappdSocket, appId, composeHash, instanceId, CountLines(eventLog) - eventsBefore)).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Writes the sample sys-config (with the TD's <paramref name="tdVmConfig"/>) if missing, else sets its <c>kms_urls</c>; returns the <c>os_image_hash</c>.</summary>
    private static string WriteSysConfig(string path, string kmsUrl, string tdVmConfig)
    {
        if (!File.Exists(path))
        {
            File.WriteAllText(path, DevState.SampleSysConfig([kmsUrl], tdVmConfig));
        }

        var root = ReadJsonObject(path);

        var urls = root["kms_urls"] as JsonArray;
        if (urls is not [JsonValue only] || only.GetValueKind() != JsonValueKind.String || only.GetValue<string>() != kmsUrl)
        {
            root["kms_urls"] = new JsonArray(JsonValue.Create(kmsUrl));
            File.WriteAllText(path, root.ToJsonString() + "\n");
        }

        var vmConfig = root["vm_config"] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        var osImage = vmConfig is null ? null : AppInfoCalculator.OsImageHashFromConfig(vmConfig);
        return osImage is { Length: > 0 }
            ? Convert.ToHexStringLower(osImage)
            : throw new InvalidDataException($"{path}: vm_config must be a JSON string holding an os_image_hash");
    }

    /// <summary>
    /// Points the <c>key_provider.Kms.url</c> of an existing app keys file at <paramref name="kmsUrl"/>: the KMS is the
    /// same (its root keys persist), only its port changes between starts. The file is rewritten in place (keeping its mode).
    /// </summary>
    private static void RepointAppKeys(string path, string kmsUrl)
    {
        if (!File.Exists(path))
        {
            return;
        }

        var root = ReadJsonObject(path);

        if (root["key_provider"] is JsonObject provider && provider["Kms"] is JsonObject kms
            && (kms["url"] is not JsonValue url || url.GetValueKind() != JsonValueKind.String || url.GetValue<string>() != kmsUrl))
        {
            kms["url"] = kmsUrl;
            File.WriteAllText(path, root.ToJsonString(AppKeysJson));
        }
    }

    /// <summary>Writes <c>{"app_id"}</c> when pinning into a missing file; returns the app id the file pins, if any.</summary>
    private static byte[]? PinAppId(string path, byte[]? pinned)
    {
        if (!File.Exists(path))
        {
            if (pinned is not null)
            {
                File.WriteAllText(path, $"{{\"app_id\":\"{Convert.ToHexStringLower(pinned)}\"}}\n");
            }

            return pinned;
        }

        var existing = Convert.FromHexString(ReadInstanceInfo(path).AppId);
        if (pinned is not null && existing.Length > 0 && !existing.AsSpan().SequenceEqual(pinned))
        {
            throw new InvalidDataException(
                $"{path} pins app id {Convert.ToHexStringLower(existing)}, not {Convert.ToHexStringLower(pinned)}: this VM booted as another app; delete {Path.GetDirectoryName(path)} to boot a new one");
        }

        return existing.Length > 0 ? existing : pinned;
    }

    private static JsonObject ReadJsonObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject ?? throw new InvalidDataException($"{path} must hold a JSON object");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static (string AppId, string InstanceId) ReadInstanceInfo(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var appId = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("app_id", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "";
            var instanceId = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("instance_id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : "";
            _ = Convert.FromHexString(appId);
            return (appId.ToLowerInvariant(), instanceId.ToLowerInvariant());
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new InvalidDataException($"{path} is not a valid instance info: {ex.Message}", ex);
        }
    }

    private static int CountLines(string path) => File.Exists(path) ? File.ReadAllLines(path).Count(l => l.Length > 0) : 0;
}
