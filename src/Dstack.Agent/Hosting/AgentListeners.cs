using Dstack.Agent.Configuration;
using Dstack.Agent.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dstack.Agent.Hosting;

/// <summary>
/// Owns the listening sockets: takes over systemd-activated ones when present, otherwise binds the configured paths.
/// Removes the socket files it created when the host is disposed (only if they are still the agent's).
/// </summary>
internal sealed class AgentListeners(IOptions<AgentOptions> options, ProcessEnvironment environment, ILogger<AgentListeners> logger)
    : IDisposable
{
    private readonly List<(string Path, ulong Inode)> _owned = [];
    private IReadOnlyList<ActivatedSocket>? _sockets;

    /// <summary>Opens the sockets once and returns them.</summary>
    public IReadOnlyList<ActivatedSocket> Open()
    {
        if (_sockets is not null)
        {
            return _sockets;
        }

        var activated = SystemdActivation.Take(environment);
        if (activated.Count > 0)
        {
            foreach (var socket in activated)
            {
                AgentLog.UsingActivatedSocket(logger, socket.Kind, socket.Description);
            }

            _sockets = activated;
            return activated;
        }

        var config = options.Value.Sockets;
        _ = AgentOptionsValidator.TryParseMode(config.Mode, out var mode);
        var sockets = new List<ActivatedSocket>();
        try
        {
            sockets.Add(BindOne(ListenerKind.Dstack, config.Dstack, mode, config.Group));
            if (!string.IsNullOrEmpty(config.Tappd))
            {
                sockets.Add(BindOne(ListenerKind.Tappd, config.Tappd, mode, config.Group));
            }
        }
        catch
        {
            foreach (var socket in sockets)
            {
                _ = LibC.Close(socket.FileDescriptor);
            }

            Dispose();
            throw;
        }

        _sockets = sockets;
        return sockets;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (path, inode) in _owned)
        {
            try
            {
                if (UnixSocketBinder.SocketInode(path) == inode)
                {
                    File.Delete(path);
                }
            }
            catch (IOException ex)
            {
                AgentLog.SocketCleanupFailed(logger, path, ex);
            }
        }

        _owned.Clear();
    }

    private ActivatedSocket BindOne(ListenerKind kind, string path, UnixFileMode mode, string? group)
    {
        var socket = UnixSocketBinder.Bind(kind, path, mode, group);
        if (UnixSocketBinder.SocketInode(socket.Description) is { } inode)
        {
            _owned.Add((socket.Description, inode));
        }

        var modeText = "0" + Convert.ToString((int)mode, 8);
        AgentLog.BoundSocket(logger, kind, socket.Description, modeText, group ?? "-");
        return socket;
    }
}
