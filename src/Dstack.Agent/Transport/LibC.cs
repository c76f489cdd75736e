using System.Runtime.InteropServices;

namespace Dstack.Agent.Transport;

/// <summary>The few libc calls .NET has no managed API for (Linux, LP64).</summary>
internal static partial class LibC
{
    /// <summary><c>AT_FDCWD</c>: resolve relative paths against the working directory.</summary>
    public const int AtFdCwd = -100;

    /// <summary><c>AT_SYMLINK_NOFOLLOW</c>: describe a symlink itself, not its target.</summary>
    public const int AtSymlinkNoFollow = 0x100;

    /// <summary><c>STATX_TYPE | STATX_MODE</c>.</summary>
    public const uint StatxTypeAndMode = 0x1 | 0x2;

    /// <summary><c>S_IFMT</c> mask of <c>st_mode</c>.</summary>
    public const int FileTypeMask = 0xF000;

    /// <summary><c>S_IFSOCK</c>.</summary>
    public const int FileTypeSocket = 0xC000;

    /// <summary><c>S_IFDIR</c>.</summary>
    public const int FileTypeDirectory = 0x4000;

    /// <summary><c>S_IFLNK</c>.</summary>
    public const int FileTypeSymlink = 0xA000;

    /// <summary>Size of the buffer handed to statx (struct statx is 256 bytes).</summary>
    public const int StatxBufferSize = 256;

    /// <summary>Offset of <c>stx_mode</c> (u16) in struct statx; the layout is the same on every architecture.</summary>
    public const int StatxModeOffset = 28;

    /// <summary><c>int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    /// <summary><c>int chown(const char *path, uid_t owner, gid_t group)</c>; -1 (all bits set) keeps a value.</summary>
    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint owner, uint group);

    /// <summary><c>int dup(int fd)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);

    /// <summary><c>int close(int fd)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary><c>struct group *getgrnam(const char *name)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "getgrnam", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr GetGroupByName(string name);

    /// <summary>Offset of <c>gr_gid</c> in struct group on LP64 (after two pointers).</summary>
    public const int GroupGidOffset = 16;

    /// <summary>Offset of <c>stx_ino</c> (u64) in struct statx.</summary>
    public const int StatxInodeOffset = 32;

    /// <summary><c>STATX_INO</c>.</summary>
    public const uint StatxInode = 0x100;

    /// <summary>
    /// Returns the file type bits (<c>S_IFMT</c>) and inode number of <paramref name="path"/> without following a
    /// symlink, or null if it does not exist.
    /// </summary>
    public static unsafe (int Type, ulong Inode)? GetFileType(string path)
    {
        var buffer = stackalloc byte[StatxBufferSize];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxTypeAndMode | StatxInode, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is 2 or 20)
            {
                // ENOENT, ENOTDIR
                return null;
            }

            throw new IOException($"statx({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        return (*(ushort*)(buffer + StatxModeOffset) & FileTypeMask, *(ulong*)(buffer + StatxInodeOffset));
    }
}
