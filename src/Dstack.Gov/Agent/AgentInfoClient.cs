using System.Net.Sockets;
using System.Text.Json;
using Dstack.Gov.Cli;

namespace Dstack.Gov.Agent;

/// <summary>Asks a dstack agent for <c>GET /Info</c> over its Unix socket (e.g. <c>/var/run/dstack.sock</c>).</summary>
internal static class AgentInfoClient
{
    private const int MaxResponseBytes = 1024 * 1024;

    public static async Task<AgentInfo> GetAsync(string socketPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            throw new GovFailureException($"--agent: no socket at '{socketPath}'");
        }

        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15), MaxResponseContentBufferSize = MaxResponseBytes };
        byte[] body;
        try
        {
            using var response = await http.GetAsync(new Uri("http://localhost/Info"), cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new GovFailureException($"--agent: GET /Info answered HTTP {(int)response.StatusCode}");
            }
        }
        catch (HttpRequestException e)
        {
            throw new GovFailureException($"--agent: GET /Info on '{socketPath}' failed: {e.Message}");
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var appId = ReadHex(root, "app_id") ?? throw new GovFailureException("--agent: the Info answer has no app_id");
            return new AgentInfo(appId, ReadHex(root, "compose_hash"), ReadHex(root, "os_image_hash"), ReadHex(root, "device_id"));
        }
        catch (JsonException e)
        {
            throw new GovFailureException("--agent: the Info answer is not JSON: " + e.Message);
        }
    }

    private static byte[]? ReadHex(JsonElement root, string name)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetString()!;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        try
        {
            return text.Length == 0 ? null : Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw new GovFailureException($"--agent: Info.{name} is not hex");
        }
    }
}
