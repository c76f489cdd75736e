using System.Net.Sockets;
using System.Text.Json;

namespace Dstack.Gov.Tests.EndToEnd;

/// <summary>GET requests to the agent over its Unix socket, as a container would send them.</summary>
public static class UnixSocketHttp
{
    /// <summary>Sends <c>GET http://localhost{pathAndQuery}</c> through <paramref name="socketPath"/>; asserts HTTP 200 and returns the JSON.</summary>
    public static async Task<JsonDocument> GetJsonAsync(string socketPath, string pathAndQuery)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(new Uri("http://localhost" + pathAndQuery));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {pathAndQuery}: HTTP {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }
}
