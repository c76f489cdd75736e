using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Dstack.Agent.Transport;

namespace Dstack.Agent.Hosting;

/// <summary>
/// Creates a listening Unix socket at a path with exact permissions, without a window in which it is reachable with
/// the wrong ones.
/// </summary>
/// <remarks>
/// <para>
/// The socket is bound inside a fresh private directory (mode 0700, random name, beside the target so that both are
/// on the same filesystem), given its mode and group there, put into the listening state, and only then renamed onto
/// the target path. Connecting needs search permission on every directory of the path, so while the socket sits in
/// the private directory nobody but the agent's own user can reach it; <c>rename(2)</c> is atomic, so the target path
/// always names either the previous (stale) socket or the finished new one — never a half-configured socket, and
/// never a missing file that someone else could claim. Changing the process umask instead would be process-wide and
/// race with every other thread creating files.
/// </para>
/// <para>
/// An existing socket file at the target is replaced only if nothing answers on it (a live socket means another agent
/// is running). A directory at the target — what Docker leaves when a bind-mount source did not exist — and any other
/// kind of file are refused with an explanation instead of being deleted.
/// </para>
/// </remarks>
internal static class UnixSocketBinder
{
    private const int Backlog = 512;

    /// <summary>Binds <paramref name="path"/> and returns the listening fd (the caller owns it).</summary>
    public static ActivatedSocket Bind(ListenerKind kind, string path, UnixFileMode mode, string? group)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath) ?? "/";
        CheckExisting(fullPath);
        var gid = group is null ? (uint?)null : ResolveGroup(group);

        Directory.CreateDirectory(directory);
        var privateDirectory = Path.Combine(directory, ".dstack-agent-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        Directory.CreateDirectory(privateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var temporary = Path.Combine(privateDirectory, "s");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(temporary));
            File.SetUnixFileMode(temporary, mode);
            if (gid is { } groupId && LibC.Chown(temporary, uint.MaxValue, groupId) != 0)
            {
                throw new AgentStartupException(
                    $"cannot give {fullPath} to group {group}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }

            socket.Listen(Backlog);
            File.Move(temporary, fullPath, overwrite: true);

            // Kestrel takes ownership of the fd it is given and closes it; hand it a duplicate so that disposing
            // this Socket object does not close the listener under Kestrel.
            var fd = LibC.Dup((int)socket.SafeHandle.DangerousGetHandle());
            if (fd < 0)
            {
                throw new AgentStartupException($"dup() of the listener for {fullPath} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }

            return new ActivatedSocket(kind, fd, fullPath, fullPath);
        }
        catch (SocketException ex)
        {
            throw new AgentStartupException($"cannot listen on {fullPath}: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new AgentStartupException($"cannot create {fullPath}: {ex.Message}", ex);
        }
        finally
        {
            Directory.Delete(privateDirectory, recursive: true);
        }
    }

    /// <summary>The inode of the socket at <paramref name="path"/>, or null when it is not a socket.</summary>
    public static ulong? SocketInode(string path) =>
        LibC.GetFileType(path) is { Type: LibC.FileTypeSocket } info ? info.Inode : null;

    private static void CheckExisting(string path)
    {
        var info = LibC.GetFileType(path);
        switch (info?.Type)
        {
            case null:
                return;
            case LibC.FileTypeDirectory:
                throw new AgentStartupException(
                    $"{path} is a directory, not a socket. Docker creates an empty directory when a container bind-mounts a " +
                    $"socket path before the agent has created it; stop that container, remove the directory (rmdir {path}) " +
                    "and start the agent before the containers that use it.");
            case LibC.FileTypeSocket:
                if (IsLive(path))
                {
                    throw new AgentStartupException($"{path} is in use: another process is already listening on it");
                }

                return; // stale: replaced atomically by the rename
            default:
                throw new AgentStartupException(
                    $"{path} exists and is not a socket (file type 0{Convert.ToString(info.Value.Type >> 12, 8)}); refusing to replace it");
        }
    }

    private static bool IsLive(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static uint ResolveGroup(string group)
    {
        if (uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            return gid;
        }

        var entry = LibC.GetGroupByName(group);
        if (entry == IntPtr.Zero)
        {
            throw new AgentStartupException($"unknown group '{group}' (Sockets:Group)");
        }

        return (uint)Marshal.ReadInt32(entry, LibC.GroupGidOffset);
    }
}
