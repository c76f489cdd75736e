using System.Runtime.InteropServices;

namespace Dstack.Kms.Keys;

/// <summary>The libc calls needed to fsync a directory, which .NET has no managed API for (Linux).</summary>
internal static partial class LibC
{
    /// <summary><c>O_RDONLY | O_DIRECTORY | O_CLOEXEC</c> on Linux.</summary>
    public const int OpenDirectoryFlags = 0x0 | 0x10000 | 0x80000;

    /// <summary><c>int open(const char *path, int flags)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    /// <summary><c>int fsync(int fd)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    /// <summary><c>int close(int fd)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}
