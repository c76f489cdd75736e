using System.Net.Sockets;
using System.Text.Json;

namespace Dstack.Tests;

/// <summary>HTTP to the agent over its Unix socket, as a container (or <c>curl --unix-socket</c>) sends it.</summary>
internal static class UnixSocketHttp
{
    /// <summary>A client whose every connection goes to <paramref name="socketPath"/>; base address <c>http://localhost</c>.</summary>
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
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Sends <c>GET http://localhost{pathAndQuery}</c> through <paramref name="socketPath"/>; asserts HTTP 200 and returns the JSON.</summary>
    public static async Task<JsonDocument> GetJsonAsync(string socketPath, string pathAndQuery)
    {
        using var http = Create(socketPath);
        using var response = await http.GetAsync(new Uri("http://localhost" + pathAndQuery));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {pathAndQuery}: HTTP {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }
}
