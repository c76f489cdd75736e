namespace Dstack.Agent.Boot;

/// <summary>
/// The command that opens (or formats) and mounts the data disk. It receives the passphrase — the lowercase hex of the
/// disk key, no newline — on standard input, and <c>DSTACK_STORAGE_FS</c> (<c>zfs</c> or <c>ext4</c>) and
/// <c>DSTACK_STORAGE_ENCRYPTED</c> (<c>1</c> or <c>0</c>) in its environment; exit code 0 means the disk is ready.
/// Without a command the step is skipped (development).
/// </summary>
internal sealed class StorageOptions
{
    /// <summary>The executable; empty skips the step.</summary>
    public string? Command { get; set; }

    /// <summary>Its arguments.</summary>
    public IList<string> Arguments { get; } = [];
}
