namespace Dstack.Agent.Configuration;

/// <summary>Files written by the boot sequence (see the guest-agent spec §7.1 and tdx-boot §5).</summary>
internal sealed class FilesOptions
{
    /// <summary>The app-compose manifest; its SHA-256 is the compose hash.</summary>
    public string AppCompose { get; set; } = "/dstack/.host-shared/app-compose.json";

    /// <summary>The host-supplied sys-config (carries <c>vm_config</c>).</summary>
    public string SysConfig { get; set; } = "/dstack/.host-shared/.sys-config.json";

    /// <summary>The instance info (<c>app_id</c>, <c>instance_id</c>); optional.</summary>
    public string InstanceInfo { get; set; } = "/dstack/.host-shared/.instance_info";

    /// <summary>The app keys released by the key provider.</summary>
    public string AppKeys { get; set; } = "/dstack/.host-shared/.appkeys.json";

    /// <summary>The encrypted environment supplied by the host (optional; tdx-boot §4.7).</summary>
    public string EncryptedEnv { get; set; } = "/dstack/.host-shared/.encrypted-env";

    /// <summary>Where the boot writes the decrypted environment as <c>KEY=VALUE</c> lines.</summary>
    public string DecryptedEnv { get; set; } = "/dstack/.host-shared/.decrypted-env";

    /// <summary>Where the boot writes the decrypted environment as a JSON object.</summary>
    public string DecryptedEnvJson { get; set; } = "/dstack/.host-shared/.decrypted-env.json";

    /// <summary>Directory with the DMI strings <c>sys_vendor</c> and <c>product_name</c>.</summary>
    public string DmiDirectory { get; set; } = "/sys/class/dmi/id";
}
