namespace Dstack.Kms.Configuration;

/// <summary>The KMS's own TD: a real one through Linux interfaces or a simulated one in a state directory.</summary>
internal sealed class TdxOptions
{
    /// <summary>Device kind value for the Linux TDX guest interfaces.</summary>
    public const string Linux = "linux";

    /// <summary>Device kind value for a simulated TD.</summary>
    public const string Simulated = "simulated";

    /// <summary><c>linux</c> (default) or <c>simulated</c>.</summary>
    public string Device { get; set; } = Linux;

    /// <summary>State directory of the simulated TD (required with <c>simulated</c>).</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Runtime event log of the KMS's own TD (Linux); default <c>/run/log/dstack/runtime_events.log</c>.</summary>
    public string? RuntimeEventLog { get; set; }
}
