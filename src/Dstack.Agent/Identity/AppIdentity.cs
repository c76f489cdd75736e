namespace Dstack.Agent.Identity;

/// <summary>The app and instance identity the agent reports, as read from the boot sequence's files.</summary>
internal sealed record AppIdentity
{
    /// <summary>20-byte app id.</summary>
    public required byte[] AppId { get; init; }

    /// <summary>20-byte instance id, or empty.</summary>
    public required byte[] InstanceId { get; init; }

    /// <summary>SHA-256 of the exact app-compose bytes.</summary>
    public required byte[] ComposeHash { get; init; }

    /// <summary>The <c>key-provider</c> event payload as text (<c>{"name":…,"id":…}</c>), or empty.</summary>
    public required string KeyProviderInfo { get; init; }

    /// <summary><c>name</c> from app-compose.</summary>
    public required string AppName { get; init; }

    /// <summary>The raw app-compose file content.</summary>
    public required string AppCompose { get; init; }

    /// <summary><c>public_tcbinfo</c> from app-compose (default true).</summary>
    public required bool PublicTcbInfo { get; init; }

    /// <summary>The <c>vm_config</c> string of sys-config, verbatim.</summary>
    public required string VmConfig { get; init; }

    /// <summary><c>os_image_hash</c> from <see cref="VmConfig"/>, or empty.</summary>
    public required byte[] OsImageHash { get; init; }

    /// <summary>DMI <c>sys_vendor</c>, or empty.</summary>
    public required string CloudVendor { get; init; }

    /// <summary>DMI <c>product_name</c>, or empty.</summary>
    public required string CloudProduct { get; init; }
}
