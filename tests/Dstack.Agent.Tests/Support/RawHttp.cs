using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Dstack.Agent.Tests.Support;

/// <summary>Writes exact request bytes to a Unix socket and parses the response the way the JS SDK does (Content-Length required).</summary>
public static class RawHttp
{
    public static Task<RawResponse> SendAsync(string socketPath, string request) => SendAsync(socketPath, Encoding.UTF8.GetBytes(request));

    public static async Task<RawResponse> SendAsync(string socketPath, byte[] request, bool halfClose = false)
    {
        using var socket = await ConnectAsync(socketPath);
        await socket.SendAsync(request);
        if (halfClose)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        return await ReadResponseAsync(socket);
    }

    public static async Task<Socket> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        return socket;
    }

    /// <summary>Builds a request with a correct Content-Length.</summary>
    public static byte[] Request(string method, string target, string? contentType = null, byte[]? body = null)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\nHost: localhost\r\n");
        if (contentType is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n");
        }

        if (body is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body ?? []];
    }

    public static Task<RawResponse> PostJsonAsync(string socketPath, string target, string json) =>
        SendAsync(socketPath, Request("POST", target, "application/json", Encoding.UTF8.GetBytes(json)));

    public static async Task<RawResponse> ReadResponseAsync(Socket socket)
    {
        var data = new List<byte>();
        var buffer = new byte[64 * 1024];
        int headerEnd;
        while ((headerEnd = IndexOf(data, "\r\n\r\n"u8.ToArray())) < 0)
        {
            var read = await socket.ReceiveAsync(buffer);
            if (read == 0)
            {
                throw new IOException("connection closed before the response head: " + Encoding.ASCII.GetString([.. data]));
            }

            data.AddRange(buffer.AsSpan(0, read));
        }

        var head = Encoding.ASCII.GetString([.. data.Take(headerEnd)]).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = head.Skip(1).Select(line =>
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            return new KeyValuePair<string, string>(line[..colon], line[(colon + 2)..]);
        }).ToList();
        var lengthHeader = headers.Single(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
        var length = int.Parse(lengthHeader, CultureInfo.InvariantCulture);
        var body = data.Skip(headerEnd + 4).ToList();
        while (body.Count < length)
        {
            var read = await socket.ReceiveAsync(buffer);
            if (read == 0)
            {
                throw new IOException("connection closed inside the body");
            }

            body.AddRange(buffer.AsSpan(0, read));
        }

        var closed = false;
        if (headers.Any(h => h.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase) && h.Value == "close"))
        {
            closed = await socket.ReceiveAsync(buffer) == 0;
        }

        return new RawResponse(status, headers, [.. body.Take(length)], closed);
    }

    private static int IndexOf(List<byte> data, byte[] pattern)
    {
        for (var i = 0; i + pattern.Length <= data.Count; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++)
            {
                match = data[i + j] == pattern[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}
