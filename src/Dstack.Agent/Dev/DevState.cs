using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dstack.Agent.Hosting;
using Dstack.Attestation.Simulation;

namespace Dstack.Agent.Dev;

/// <summary>
/// The files <c>dstack-agent dev</c> keeps in its state directory besides the simulated TD's own: a sample
/// <c>app-compose.json</c> and <c>sys-config.json</c> (written on first start, editable before it), the key seed the
/// dev app keys derive from (<c>dev-key-seed</c>, mode 0600) and <c>instance_info</c> with the instance-id seed.
/// The identity follows the boot sequence's formulas: app id = first 20 bytes of the compose hash, instance id =
/// SHA-256(instance_id_seed ‖ app_id)[..20].
/// </summary>
internal sealed class DevState
{
    /// <summary>The app manifest.</summary>
    public const string ComposeFileName = "app-compose.json";

    /// <summary>The host-supplied config (carries <c>vm_config</c>).</summary>
    public const string SysConfigFileName = "sys-config.json";

    /// <summary>Instance info (<c>instance_id_seed</c>, <c>instance_id</c>, <c>app_id</c>).</summary>
    public const string InstanceInfoFileName = "instance_info";

    /// <summary>The 32-byte seed of the dev app keys, as hex.</summary>
    public const string KeySeedFileName = "dev-key-seed";

    /// <summary>The self-made app CA certificate.</summary>
    public const string CaCertificateFileName = "app-ca.pem";

    /// <summary>Written once the boot events have been emitted; they are never emitted again for this directory.</summary>
    public const string BootedFileName = "booted";

    private DevState(string directory, byte[] composeBytes, byte[] keySeed, byte[] instanceId)
    {
        Directory = directory;
        ComposeBytes = composeBytes;
        ComposeHash = SHA256.HashData(composeBytes);
        AppId = ComposeHash[..20];
        KeySeed = keySeed;
        InstanceId = instanceId;
        StorageFs = ReadStorageFs(composeBytes);
    }

    /// <summary>The state directory (full path).</summary>
    public string Directory { get; }

    /// <summary>The exact app-compose bytes.</summary>
    public byte[] ComposeBytes { get; }

    /// <summary>SHA-256 of <see cref="ComposeBytes"/>.</summary>
    public byte[] ComposeHash { get; }

    /// <summary>First 20 bytes of the compose hash.</summary>
    public byte[] AppId { get; }

    /// <summary>SHA-256(instance_id_seed ‖ app_id)[..20].</summary>
    public byte[] InstanceId { get; }

    /// <summary>Seed of the dev app keys.</summary>
    public byte[] KeySeed { get; }

    /// <summary>The <c>os_image_hash</c> of the simulated OS image the TD of this directory boots.</summary>
    public byte[] OsImageHash => SimulatedBootImage.Load(Directory).Image.OsImageHash;

    /// <summary><c>storage_fs</c> of the compose (default <c>zfs</c>).</summary>
    public string StorageFs { get; }

    /// <summary>Path of a file in the state directory.</summary>
    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>Creates the missing files in <paramref name="stateDirectory"/> and reads them all.</summary>
    /// <exception cref="AgentStartupException">A file is unreadable or malformed.</exception>
    public static DevState Prepare(string stateDirectory)
    {
        var directory = Path.GetFullPath(stateDirectory);
        System.IO.Directory.CreateDirectory(directory);
        try
        {
            var composePath = Path.Combine(directory, ComposeFileName);
            if (!File.Exists(composePath))
            {
                File.WriteAllBytes(composePath, SampleCompose());
            }

            var composeBytes = File.ReadAllBytes(composePath);
            var sysConfigPath = Path.Combine(directory, SysConfigFileName);
            if (!File.Exists(sysConfigPath))
            {
                File.WriteAllText(sysConfigPath, SampleSysConfig([], SimulatedBootImage.Load(directory).VmConfig));
            }

            var keySeed = LoadOrCreateSeed(Path.Combine(directory, KeySeedFileName), 32);
            var appId = SHA256.HashData(composeBytes)[..20];
            var instanceId = LoadOrCreateInstance(Path.Combine(directory, InstanceInfoFileName), appId);
            return new DevState(directory, composeBytes, keySeed, instanceId);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new AgentStartupException($"dev state directory {directory}: {ex.Message}", ex);
        }
    }

    /// <summary>The sample app-compose (embedded resource), byte for byte.</summary>
    internal static byte[] SampleCompose()
    {
        using var stream = typeof(DevState).Assembly.GetManifestResourceStream("Dstack.Agent.Dev.sample-app-compose.json")
            ?? throw new InvalidOperationException("the sample app-compose resource is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// The sample sys-config: <paramref name="kmsUrls"/> and <paramref name="vmConfig"/>, the <c>vm_config</c> of the
    /// simulated TD the VM runs on (<see cref="SimulatedBootImage.VmConfig"/>: its OS image, memory size and QEMU version,
    /// with the image's measurement, so that a KMS's OS-image check accepts it).
    /// </summary>
    internal static string SampleSysConfig(IReadOnlyList<string> kmsUrls, string vmConfig)
    {
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["kms_urls"] = kmsUrls.ToArray(),
            ["gateway_urls"] = Array.Empty<string>(),
            ["pccs_url"] = "",
            ["docker_registry"] = null,
            ["host_api_url"] = null,
            ["vm_config"] = vmConfig,
        }, DevJsonContext.Default.DictionaryStringObject) + "\n";
    }

    private static byte[] LoadOrCreateSeed(string path, int length)
    {
        if (!File.Exists(path))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
            using var stream = new FileStream(path, options);
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(length)) + "\n"));
        }

        var seed = Convert.FromHexString(File.ReadAllText(path).Trim());
        return seed.Length == length ? seed : throw new FormatException($"{path} must hold {length} bytes of hex");
    }

    private static byte[] LoadOrCreateInstance(string path, byte[] appId)
    {
        byte[] seed;
        if (File.Exists(path))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            seed = Convert.FromHexString(document.RootElement.GetProperty("instance_id_seed").GetString() ?? "");
        }
        else
        {
            seed = RandomNumberGenerator.GetBytes(32);
        }

        var instanceId = SHA256.HashData([.. seed, .. appId])[..20];
        var text = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["instance_id_seed"] = Convert.ToHexStringLower(seed),
            ["instance_id"] = Convert.ToHexStringLower(instanceId),
            ["app_id"] = Convert.ToHexStringLower(appId),
        }, DevJsonContext.Default.DictionaryStringObject);
        File.WriteAllText(path, text + "\n");
        return instanceId;
    }

    private static string ReadStorageFs(byte[] composeBytes)
    {
        try
        {
            using var document = JsonDocument.Parse(composeBytes);
            return document.RootElement.TryGetProperty("storage_fs", out var fs) && fs.ValueKind == JsonValueKind.String
                ? fs.GetString()!.ToLowerInvariant()
                : "zfs";
        }
        catch (JsonException ex)
        {
            throw new AgentStartupException($"{ComposeFileName} is not valid JSON: {ex.Message}", ex);
        }
    }
}
