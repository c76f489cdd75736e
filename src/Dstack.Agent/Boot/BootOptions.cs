namespace Dstack.Agent.Boot;

/// <summary>
/// The <c>Boot</c> section: how <c>dstack-agent boot</c> waits for the KMS, where the kernel options are read and
/// which command prepares the data disk.
/// </summary>
internal sealed class BootOptions
{
    /// <summary>When true, <c>dstack-agent run</c> boots first if the app keys file does not exist yet.</summary>
    public bool BeforeServing { get; set; }

    /// <summary>
    /// How long the boot keeps trying the KMS URLs before it fails, in seconds; 0 (the default) keeps trying for as long
    /// as the process runs, logging every failed attempt.
    /// </summary>
    public int KmsRetryTimeoutSeconds { get; set; }

    /// <summary>Delay before the second pass over the KMS URLs; it doubles on every pass up to <see cref="KmsRetryMaxDelaySeconds"/>.</summary>
    public int KmsRetryInitialDelayMilliseconds { get; set; } = 1000;

    /// <summary>Longest delay between two passes over the KMS URLs.</summary>
    public int KmsRetryMaxDelaySeconds { get; set; } = 30;

    /// <summary>Deadline of one KMS call, at boot and for <c>SignCert</c> when the daemon issues certificates (dstack: 60 s).</summary>
    public int KmsCallTimeoutSeconds { get; set; } = 60;

    /// <summary>Connection (TCP and TLS) timeout of one KMS call, at boot and for <c>SignCert</c> (dstack: 5 s).</summary>
    public int KmsConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// The kernel command line (<c>dstack.storage_fs=</c>, <c>dstack.storage_encrypted=</c>); a missing file means the
    /// defaults (zfs, encrypted).
    /// </summary>
    public string KernelCommandLine { get; set; } = "/proc/cmdline";

    /// <summary>The data-disk step.</summary>
    public StorageOptions Storage { get; set; } = new();
}
