using System.Text.Json;
using System.Text.Json.Nodes;
using Dstack.Tests;

namespace Dstack.EndToEnd.Tests.Support;

/// <summary>
/// A CVM as <c>dstack-agent boot</c> sees it: a simulated TD (state directory seeded from a platform), the host share
/// (app-compose, sys-config with the KMS URLs, <c>.instance_info</c>, <c>.appkeys.json</c>), a kernel command line,
/// and the agent's configuration file.
/// </summary>
internal sealed class GuestVm
{
    private readonly SimulatedPlatform _platform;

    public GuestVm(SimulatedPlatform platform, string name, string compose = E2eApp.Compose)
    {
        ArgumentNullException.ThrowIfNull(platform);
        _platform = platform;
        Root = Path.Combine(platform.Root, name);
        Directory.CreateDirectory(Shared);
        platform.NewTdDirectory(TdDirectory);
        File.WriteAllText(ComposePath, compose);
        File.WriteAllText(CommandLinePath, "console=ttyS0 dstack.storage_fs=ext4\n");
        WriteConfig();
    }

    public string Root { get; }

    public string TdDirectory => Path.Combine(Root, "td");

    public string Shared => Path.Combine(Root, "host-shared");

    public string ComposePath => Path.Combine(Shared, "app-compose.json");

    public string SysConfigPath => Path.Combine(Shared, ".sys-config.json");

    public string InstanceInfoPath => Path.Combine(Shared, ".instance_info");

    public string AppKeysPath => Path.Combine(Shared, ".appkeys.json");

    public string CommandLinePath => Path.Combine(Root, "cmdline");

    public string ConfigPath => Path.Combine(Root, "agent.json");

    public string DstackSocketPath => Path.Combine(Root, "dstack.sock");

    public string TappdSocketPath => Path.Combine(Root, "tappd.sock");

    /// <summary>Writes the sys-config naming <paramref name="kmsUrls"/>.</summary>
    public void SetKmsUrls(params string[] kmsUrls)
    {
        var json = new JsonObject
        {
            ["kms_urls"] = new JsonArray([.. kmsUrls.Select(u => (JsonNode)u)]),
            ["gateway_urls"] = new JsonArray(),
            ["vm_config"] = E2eApp.VmConfig,
        };
        File.WriteAllText(SysConfigPath, json.ToJsonString());
    }

    /// <summary>Runs <c>dstack-agent boot</c> to its end.</summary>
    public Task<AgentProcess> BootAsync(TimeSpan? timeout = null) => AgentProcess.RunAsync("boot", ConfigPath, timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>Starts <c>dstack-agent boot</c> and returns at once.</summary>
    public AgentProcess StartBoot() => AgentProcess.Start("boot", ConfigPath);

    /// <summary>
    /// A reboot: the TD starts over (fresh registers and runtime event log, same platform), the root file system and
    /// with it the app keys file are gone, and the host share keeps app-compose, sys-config and <c>.instance_info</c>
    /// (whose seed makes the instance id the same again).
    /// </summary>
    public void Reboot()
    {
        _platform.NewTdDirectory(TdDirectory);
        File.Delete(AppKeysPath);
    }

    /// <summary>The instance id the boot persisted (hex).</summary>
    public string InstanceId()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(InstanceInfoPath));
        return document.RootElement.GetProperty("instance_id").GetString()!;
    }

    /// <summary>Reads the keys file the boot wrote.</summary>
    public AppKeys ReadKeys() => AppKeys.Parse(File.ReadAllBytes(AppKeysPath));

    private void WriteConfig()
    {
        var config = new JsonObject
        {
            ["Sockets"] = new JsonObject { ["Dstack"] = DstackSocketPath, ["Tappd"] = TappdSocketPath },
            ["Tdx"] = new JsonObject { ["Mode"] = "simulated", ["StateDirectory"] = TdDirectory },
            ["Files"] = new JsonObject
            {
                ["AppCompose"] = ComposePath,
                ["SysConfig"] = SysConfigPath,
                ["InstanceInfo"] = InstanceInfoPath,
                ["AppKeys"] = AppKeysPath,
                ["EncryptedEnv"] = Path.Combine(Shared, ".encrypted-env"),
                ["DecryptedEnv"] = Path.Combine(Shared, ".decrypted-env"),
                ["DecryptedEnvJson"] = Path.Combine(Shared, ".decrypted-env.json"),
            },
            ["Boot"] = new JsonObject
            {
                ["KernelCommandLine"] = CommandLinePath,
                ["KmsRetryInitialDelayMilliseconds"] = 250,
                ["KmsRetryMaxDelaySeconds"] = 1,
                ["KmsConnectTimeoutSeconds"] = 5,
                ["KmsCallTimeoutSeconds"] = 30,
            },
        };
        File.WriteAllText(ConfigPath, config.ToJsonString());
    }
}
