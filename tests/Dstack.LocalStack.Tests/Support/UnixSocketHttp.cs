using System.Net.Sockets;

namespace Dstack.LocalStack.Tests.Support;

/// <summary>An <see cref="HttpClient"/> whose every connection goes to a Unix socket, as <c>curl --unix-socket</c>.</summary>
public static class UnixSocketHttp
{
    public static HttpClient Create(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://localhost"),
    };
}
