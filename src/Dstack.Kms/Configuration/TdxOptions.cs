namespace Dstack.Kms.Configuration;

/// <summary>The KMS's own TD (same shape as the agent's <c>Tdx</c> section): real Linux interfaces or a simulated TD.</summary>
internal sealed class TdxOptions
{
    /// <summary>Value of <see cref="Mode"/> for the real hardware.</summary>
    public const string Linux = "linux";

    /// <summary>Value of <see cref="Mode"/> for the software TD kept in <see cref="StateDirectory"/>.</summary>
    public const string Simulated = "simulated";

    /// <summary><c>linux</c> (default) or <c>simulated</c>.</summary>
    public string Mode { get; set; } = Linux;

    /// <summary>State directory of the simulated TD (required in simulated mode; its runtime log lives there too).</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Directory of the TD's runtime event log in linux mode (dstack: <c>/run/log/dstack</c>).</summary>
    public string RuntimeLogDirectory { get; set; } = "/run/log/dstack";
}
