using System.Runtime.InteropServices;

namespace Dstack.Kms.Keys;

/// <summary>
/// Durable, never-overwriting writes of secret files: write a temporary file with mode 0600, fsync it, rename it onto
/// the final name only if that name does not exist yet, then fsync the directory so the rename survives a crash.
/// </summary>
internal static class SecureFile
{
    /// <summary>Owner read/write only.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> with <paramref name="content"/>; fails if the file already exists.</summary>
    /// <exception cref="IOException">The file exists or cannot be written.</exception>
    public static void CreateNew(string path, ReadOnlySpan<byte> content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            // overwrite: false — an existing key file is never replaced, not even by an identical one
            File.Move(temp, path, overwrite: false);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        SyncDirectory(directory);
    }

    /// <summary>fsyncs a directory so that entries created or renamed in it are durable.</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = LibC.Open(directory, LibC.OpenDirectoryFlags);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (LibC.Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }
}
