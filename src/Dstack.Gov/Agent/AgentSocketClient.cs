using System.Net.Sockets;
using Dstack.Gov.Cli;

namespace Dstack.Gov.Agent;

/// <summary>
/// HTTP GETs to a dstack agent over its Unix socket (e.g. <c>/var/run/dstack.sock</c>), each answer capped at
/// <see cref="MaxResponseBytes"/> and bounded by <see cref="Timeout"/>; failures are <see cref="GovFailureException"/>s
/// that name the request.
/// </summary>
internal sealed class AgentSocketClient : IDisposable
{
    /// <summary>The largest answer read (1 MiB; a quote with its event log is a few tens of KiB).</summary>
    public const int MaxResponseBytes = 1024 * 1024;

    /// <summary>How long one request may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient _http;

    private AgentSocketClient(string socketPath)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
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
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout, MaxResponseContentBufferSize = MaxResponseBytes };
    }

    /// <summary>The socket path.</summary>
    public string SocketPath { get; }

    /// <summary>A client for the socket at <paramref name="socketPath"/>.</summary>
    /// <exception cref="GovFailureException">There is no such socket.</exception>
    public static AgentSocketClient Open(string socketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        if (!File.Exists(socketPath))
        {
            throw new GovFailureException($"--agent: no socket at '{socketPath}'");
        }

        return new AgentSocketClient(socketPath);
    }

    /// <summary>The body of <c>GET <paramref name="pathAndQuery"/></c> (e.g. <c>/Info</c>), which must answer 2xx.</summary>
    /// <exception cref="GovFailureException">The request failed, timed out, answered an error status or too much.</exception>
    public async Task<byte[]> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var what = pathAndQuery.Split('?')[0];
        try
        {
            using var response = await _http.GetAsync(new Uri("http://localhost" + pathAndQuery), cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new GovFailureException($"--agent: GET {what} answered HTTP {(int)response.StatusCode}");
            }

            return body;
        }
        catch (HttpRequestException e)
        {
            throw new GovFailureException($"--agent: GET {what} on '{SocketPath}' failed: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GovFailureException($"--agent: GET {what} on '{SocketPath}' timed out after {Timeout.TotalSeconds:0} s");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
