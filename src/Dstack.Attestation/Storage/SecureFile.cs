using System.Runtime.InteropServices;

namespace Dstack.Attestation.Storage;

/// <summary>
/// Durable writes of files that hold secrets or must never be seen half-written: a temporary file beside the target with
/// mode 0600, fsync, rename onto the target (replacing it, or only when it does not exist yet), then fsync the directory
/// so that the rename survives a crash.
/// </summary>
public static partial class SecureFile
{
    /// <summary>Owner read/write only.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Replaces <paramref name="path"/> with <paramref name="contents"/> (creating its directory).</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> contents, CancellationToken cancellationToken)
    {
        var (full, temporary) = Prepare(path);
        try
        {
            var stream = new FileStream(temporary, CreateOptions());
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(contents, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        SyncDirectory(Path.GetDirectoryName(full)!);
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="contents"/> (creating its directory).</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, ReadOnlySpan<byte> contents) => Commit(path, contents, overwrite: true);

    /// <summary>Creates <paramref name="path"/> with <paramref name="contents"/>; fails if the file already exists, never replaces it.</summary>
    /// <exception cref="IOException">The file exists or cannot be written.</exception>
    public static void CreateNew(string path, ReadOnlySpan<byte> contents) => Commit(path, contents, overwrite: false);

    /// <summary>fsyncs a directory so that entries created or renamed in it are durable (Linux; elsewhere nothing).</summary>
    /// <exception cref="IOException">The directory cannot be opened or synced.</exception>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, OpenDirectoryFlags);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static void Commit(string path, ReadOnlySpan<byte> contents, bool overwrite)
    {
        var (full, temporary) = Prepare(path);
        try
        {
            using (var stream = new FileStream(temporary, CreateOptions()))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite);
        }
        finally
        {
            File.Delete(temporary);
        }

        SyncDirectory(Path.GetDirectoryName(full)!);
    }

    private static (string Full, string Temporary) Prepare(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        return (full, Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp"));
    }

    private static FileStreamOptions CreateOptions()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        return options;
    }

    /// <summary><c>O_RDONLY | O_DIRECTORY | O_CLOEXEC</c> on Linux.</summary>
    private const int OpenDirectoryFlags = 0x0 | 0x10000 | 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
