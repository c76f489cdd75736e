using System.Buffers.Binary;
using System.Net.Sockets;

namespace Dstack.Agent.Transport;

/// <summary>Reads <c>SO_PEERCRED</c> from a connected Unix stream socket.</summary>
internal static class PeerCredentialsReader
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int UcredSize = 12;

    /// <summary>
    /// Returns the peer's pid/uid/gid, or null when the socket is not a Unix socket or the kernel refuses.
    /// <see cref="Socket.GetRawSocketOption"/> is a thin wrapper over <c>getsockopt(2)</c>, so no P/Invoke is needed.
    /// </summary>
    public static PeerCredentials? Read(Socket socket)
    {
        if (socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }

        Span<byte> ucred = stackalloc byte[UcredSize];
        try
        {
            var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
            if (length < UcredSize)
            {
                return null;
            }
        }
        catch (SocketException)
        {
            return null;
        }

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } in host (little-endian on x86-64/arm64) order.
        return new PeerCredentials(
            BinaryPrimitives.ReadInt32LittleEndian(ucred),
            BinaryPrimitives.ReadUInt32LittleEndian(ucred[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(ucred[8..]));
    }
}
