using System.Net.Sockets;

namespace Dstack.EndToEnd.Tests.Support;

/// <summary>An <see cref="HttpClient"/> whose connections go to the agent's Unix socket (use <c>http://localhost/…</c>).</summary>
internal static class UnixSocketHttp
{
    public static HttpClient Create(string path) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { Timeout = TimeSpan.FromSeconds(30) };
}
