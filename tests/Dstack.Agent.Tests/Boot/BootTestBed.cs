using System.Security.Cryptography;
using System.Text;
using Dstack.Agent.Boot;
using Dstack.Agent.Hosting;
using Dstack.Agent.Tests.Support;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Simulation;
using Dstack.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Tests.Boot;

/// <summary>
/// A simulated VM for the boot: a simulated TD, the host-share files (app-compose, sys-config pointing at the given KMS
/// URLs), a storage stand-in script that records its stdin and environment, and the agent configuration.
/// </summary>
internal sealed class BootTestBed : IDisposable
{
    public const string Compose = """{"manifest_version":2,"name":"boot-test","runner":"docker-compose","docker_compose_file":"services: {}","kms_enabled":true,"allowed_envs":["API_TOKEN","GREETING"]}""";

    public const string OsImageHash = "64f0d1545cd510a8dfed7ad609d105b5d41f0cb2afcfdda8867ede00c88add7a";

    private readonly TempDirectory _directory = new();

    public BootTestBed()
    {
        Directory.CreateDirectory(StateDirectory);
        Directory.CreateDirectory(Shared);
        File.WriteAllText(ComposePath, Compose);
        File.WriteAllText(StorageScript, "#!/bin/sh\ncat > \"$1\"\nprintf '%s %s' \"$DSTACK_STORAGE_FS\" \"$DSTACK_STORAGE_ENCRYPTED\" > \"$2\"\necho 'stand-in storage says hello' >&2\nexit \"$(cat \"$3\")\"\n");
        File.SetUnixFileMode(StorageScript, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        StorageExitCode = 0;
        File.WriteAllText(Path.Combine(Root, "cmdline"), "console=ttyS0 dstack.storage_fs=ext4\n");
    }

    public string Root => _directory.Path;

    public string StateDirectory => Path.Combine(Root, "td");

    public string Shared => Path.Combine(Root, "host-shared");

    public string ComposePath => Path.Combine(Shared, "app-compose.json");

    public string SysConfigPath => Path.Combine(Shared, ".sys-config.json");

    public string InstanceInfoPath => Path.Combine(Shared, ".instance_info");

    public string AppKeysPath => Path.Combine(Shared, ".appkeys.json");

    public string EncryptedEnvPath => Path.Combine(Shared, ".encrypted-env");

    public string DecryptedEnvPath => Path.Combine(Shared, ".decrypted-env");

    public string DecryptedEnvJsonPath => Path.Combine(Shared, ".decrypted-env.json");

    public string StorageScript => Path.Combine(Root, "storage-stand-in.sh");

    public string StorageStdinPath => Path.Combine(Root, "storage-stdin");

    public string StorageEnvPath => Path.Combine(Root, "storage-env");

    public string StorageExitPath => Path.Combine(Root, "storage-exit");

    public int StorageExitCode
    {
        set => File.WriteAllText(StorageExitPath, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public CapturingLoggerProvider Logs { get; } = new();

    public byte[] ComposeHash => SHA256.HashData(Encoding.UTF8.GetBytes(File.ReadAllText(ComposePath)));

    public byte[] AppId => ComposeHash[..20];

    public static string VmConfig => "{\"os_image_hash\":\"" + OsImageHash + "\",\"cpu_count\":1,\"memory_size\":2147483648}";

    /// <summary>Writes the sys-config with <paramref name="kmsUrls"/>.</summary>
    public void SetKmsUrls(params string[] kmsUrls)
    {
        var json = new System.Text.Json.Nodes.JsonObject
        {
            ["kms_urls"] = new System.Text.Json.Nodes.JsonArray([.. kmsUrls.Select(u => (System.Text.Json.Nodes.JsonNode)u)]),
            ["gateway_urls"] = new System.Text.Json.Nodes.JsonArray(),
            ["vm_config"] = VmConfig,
        };
        File.WriteAllText(SysConfigPath, json.ToJsonString());
    }

    public Dictionary<string, string?> Configuration() => new()
    {
        ["Tdx:Mode"] = "simulated",
        ["Tdx:StateDirectory"] = StateDirectory,
        ["Files:AppCompose"] = ComposePath,
        ["Files:SysConfig"] = SysConfigPath,
        ["Files:InstanceInfo"] = InstanceInfoPath,
        ["Files:AppKeys"] = AppKeysPath,
        ["Files:EncryptedEnv"] = EncryptedEnvPath,
        ["Files:DecryptedEnv"] = DecryptedEnvPath,
        ["Files:DecryptedEnvJson"] = DecryptedEnvJsonPath,
        ["Boot:KernelCommandLine"] = Path.Combine(Root, "cmdline"),
        ["Boot:KmsRetryInitialDelayMilliseconds"] = "20",
        ["Boot:KmsRetryMaxDelaySeconds"] = "1",
        ["Boot:KmsConnectTimeoutSeconds"] = "5",
        ["Boot:KmsCallTimeoutSeconds"] = "30",
        ["Boot:Storage:Command"] = StorageScript,
        ["Boot:Storage:Arguments:0"] = StorageStdinPath,
        ["Boot:Storage:Arguments:1"] = StorageEnvPath,
        ["Boot:Storage:Arguments:2"] = StorageExitPath,
    };

    public AgentHostSettings Settings(IDictionary<string, string?>? overrides = null)
    {
        var values = Configuration();
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return new AgentHostSettings
        {
            ConfigurationValues = values,
            ConfigureLogging = logging =>
            {
                logging.ClearProviders();
                logging.AddProvider(Logs);
                logging.SetMinimumLevel(LogLevel.Debug);
            },
        };
    }

    /// <summary>Runs one boot (a fresh process each time, as far as the agent can tell).</summary>
    public async Task<BootOutcome> BootAsync(IDictionary<string, string?>? overrides = null, CancellationToken cancellationToken = default)
    {
        await using var provider = BootHost.Build(Settings(overrides));
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(TimeSpan.FromMinutes(2));
        return await provider.GetRequiredService<BootSequence>().RunAsync(guard.Token);
    }

    public async Task<IReadOnlyList<RuntimeEvent>> RuntimeEventsAsync()
    {
        using var td = SimulatedTd.Open(StateDirectory);
        return await td.Events.ReadLogAsync(CancellationToken.None);
    }

    public void Dispose()
    {
        Logs.Dispose();
        _directory.Dispose();
    }
}
