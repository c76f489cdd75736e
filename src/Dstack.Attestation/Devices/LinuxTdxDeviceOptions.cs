namespace Dstack.Attestation.Devices;

/// <summary>
/// Paths, environment and timing used by <see cref="LinuxTdxDevice"/>. The defaults are the kernel's paths and
/// dstack's constants (spec tdx-boot §1.1); tests point the roots at a temp tree and shorten the waits.
/// </summary>
public sealed record LinuxTdxDeviceOptions
{
    /// <summary>Environment variable that overrides the configfs-tsm report entry directory.</summary>
    public const string ConfigfsPathVariable = "DCAP_TDX_QUOTE_CONFIGFS_PATH";

    /// <summary>Environment variable that overrides the sysfs RTMR directory.</summary>
    public const string RtmrSysfsPathVariable = "DCAP_TDX_RTMR_SYSFS_PATH";

    /// <summary>Environment variable that overrides the CCEL file.</summary>
    public const string CcelFileVariable = "DSTACK_CCEL_FILE";

    /// <summary>The configfs-tsm report directory (<c>/sys/kernel/config/tsm/report</c>).</summary>
    public string ConfigfsReportRoot { get; init; } = "/sys/kernel/config/tsm/report";

    /// <summary>Name of the default report entry under <see cref="ConfigfsReportRoot"/>.</summary>
    public string ConfigfsEntryName { get; init; } = "com.intel.dcap";

    /// <summary>The sysfs measurements directory holding <c>rtmrN:sha384</c>.</summary>
    public string RtmrSysfsPath { get; init; } = "/sys/devices/virtual/misc/tdx_guest/measurements";

    /// <summary>The TDX guest device node.</summary>
    public string TdxGuestDevicePath { get; init; } = "/dev/tdx_guest";

    /// <summary>The CCEL log area exposed by the kernel.</summary>
    public string CcelPath { get; init; } = "/sys/firmware/acpi/tables/data/CCEL";

    /// <summary>
    /// Optional lock file taken exclusively (across processes) around quote generation, in addition to the
    /// in-process lock. dstack flocks <c>inblob</c> itself; .NET takes its own advisory lock on every open, which
    /// would conflict with our own <c>inblob</c> writes, so a separate file is used when cross-process exclusion is wanted.
    /// </summary>
    public string? QuoteLockFile { get; init; }

    /// <summary>Reads an environment variable (default: the process environment).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>How long to wait for <c>generation</c> to advance after writing <c>inblob</c> (5 s).</summary>
    public TimeSpan GenerationTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Polling interval for <c>generation</c> (10 ms).</summary>
    public TimeSpan GenerationPollInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Wait before retrying an operation that failed with EBUSY (10 s).</summary>
    public TimeSpan BusyRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts for an operation that fails with EBUSY (3).</summary>
    public int BusyAttempts { get; init; } = 3;

    /// <summary>Times to look for <c>provider</c> after creating the default entry (5).</summary>
    public int ProviderPollAttempts { get; init; } = 5;

    /// <summary>Interval between looks for <c>provider</c>.</summary>
    public TimeSpan ProviderPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Clock used for every wait.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
