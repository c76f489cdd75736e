namespace Dstack.Agent.Configuration;

/// <summary>
/// Which TDX device the agent uses. Chosen once at start-up; request handlers only see <c>ITdxDevice</c> and the
/// runtime event emitter, never the mode.
/// </summary>
internal sealed class TdxOptions
{
    /// <summary>Value of <see cref="Mode"/> for the real hardware (configfs-tsm, <c>/dev/tdx_guest</c>, sysfs, CCEL).</summary>
    public const string LinuxMode = "linux";

    /// <summary>Value of <see cref="Mode"/> for the software TD kept in <see cref="StateDirectory"/>.</summary>
    public const string SimulatedMode = "simulated";

    /// <summary><c>linux</c> (default) or <c>simulated</c>.</summary>
    public string Mode { get; set; } = LinuxMode;

    /// <summary>State directory of the simulated TD (seed, registers, boot log, runtime log); required in simulated mode.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Directory of the runtime event log and its lock in linux mode (dstack: <c>/run/log/dstack</c>).</summary>
    public string RuntimeLogDirectory { get; set; } = "/run/log/dstack";
}
