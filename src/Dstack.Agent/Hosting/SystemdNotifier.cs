using System.Net.Sockets;
using System.Text;

namespace Dstack.Agent.Hosting;

/// <summary>
/// Sends <c>sd_notify</c> messages (<c>READY=1</c>, <c>STOPPING=1</c>) to the datagram socket named by
/// <c>NOTIFY_SOCKET</c>; a leading <c>@</c> names a Linux abstract socket. Does nothing when the variable is unset.
/// </summary>
internal sealed class SystemdNotifier
{
    private readonly string? _address;

    /// <summary>Reads <c>NOTIFY_SOCKET</c> from <paramref name="environment"/>.</summary>
    public SystemdNotifier(ProcessEnvironment environment)
    {
        var value = environment.Get("NOTIFY_SOCKET");
        _address = string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>True when a service manager is listening.</summary>
    public bool IsEnabled => _address is not null;

    /// <summary>Sends one notification; returns false when notifications are disabled.</summary>
    public async Task<bool> NotifyAsync(string state, CancellationToken cancellationToken)
    {
        if (_address is null)
        {
            return false;
        }

        // An abstract address is the name with a leading NUL byte instead of '@'.
        var path = _address[0] == '@' ? "\0" + _address[1..] : _address;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        await socket.SendToAsync(Encoding.UTF8.GetBytes(state), SocketFlags.None, new UnixDomainSocketEndPoint(path), cancellationToken)
            .ConfigureAwait(false);
        return true;
    }
}
