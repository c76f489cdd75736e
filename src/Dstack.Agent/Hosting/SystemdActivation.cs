using System.Globalization;
using Dstack.Agent.Transport;

namespace Dstack.Agent.Hosting;

/// <summary>
/// Reads sockets passed by systemd socket activation (<c>sd_listen_fds</c> protocol): <c>LISTEN_PID</c> must be our
/// pid, <c>LISTEN_FDS</c> counts fds starting at 3, <c>LISTEN_FDNAMES</c> optionally names them (colon-separated).
/// A name <c>dstack</c>/<c>dstack.sock</c> or <c>tappd</c>/<c>tappd.sock</c> selects the API; unnamed fds map by index, 0 → dstack, 1 → tappd,
/// as in dstack's <c>dstack-guest-agent.socket</c>.
/// </summary>
internal static class SystemdActivation
{
    /// <summary>The activated sockets, or an empty list when the process was not socket-activated.</summary>
    public static IReadOnlyList<ActivatedSocket> Take(ProcessEnvironment environment)
    {
        var pid = environment.Get("LISTEN_PID");
        var fds = environment.Get("LISTEN_FDS");
        if (string.IsNullOrEmpty(pid) || string.IsNullOrEmpty(fds))
        {
            return [];
        }

        if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var listenPid) || listenPid != Environment.ProcessId)
        {
            // Meant for another process (e.g. inherited from a parent): ignore, as sd_listen_fds does.
            return [];
        }

        if (!int.TryParse(fds, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
        {
            throw new AgentStartupException($"LISTEN_FDS must be a positive number, got '{fds}'");
        }

        var names = environment.Get("LISTEN_FDNAMES")?.Split(':') ?? [];
        foreach (var variable in new[] { "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES" })
        {
            environment.Unset(variable);
        }

        var sockets = new List<ActivatedSocket>();
        for (var i = 0; i < count; i++)
        {
            var name = i < names.Length ? names[i] : "";
            var kind = KindOf(name, i);
            if (kind is null)
            {
                continue;
            }

            if (sockets.Any(s => s.Kind == kind))
            {
                throw new AgentStartupException($"systemd passed more than one socket for {kind} (LISTEN_FDNAMES='{string.Join(':', names)}')");
            }

            var fd = environment.FirstListenFd + i;
            sockets.Add(new ActivatedSocket(kind.Value, fd, $"systemd fd {fd}" + (name.Length > 0 ? $" ({name})" : ""), null));
        }

        if (!sockets.Any(s => s.Kind == ListenerKind.Dstack))
        {
            throw new AgentStartupException($"systemd passed {count} socket(s) but none for dstack.sock (LISTEN_FDNAMES='{string.Join(':', names)}')");
        }

        return sockets;
    }

    private static ListenerKind? KindOf(string name, int index)
    {
        // Explicit FileDescriptorName= values; anything else (systemd's default is the socket unit's name, the
        // same for every fd of the unit, or "unknown") falls back to the position.
        switch (name)
        {
            case "dstack" or "dstack.sock" or "internal":
                return ListenerKind.Dstack;
            case "tappd" or "tappd.sock" or "internal-v0":
                return ListenerKind.Tappd;
            default:
                return index switch
                {
                    0 => ListenerKind.Dstack,
                    1 => ListenerKind.Tappd,
                    _ => null,
                };
        }
    }
}
