using Dstack.Agent.Configuration;
using Dstack.Agent.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Transport;

/// <summary>
/// Kestrel connection middleware: reads the peer's <c>SO_PEERCRED</c> once per connection, applies the allow-list
/// and publishes both as <see cref="IAgentConnectionFeature"/> (requests see connection features). A refused
/// caller still gets an HTTP answer — 400 with a JSON error naming its uid/gid, then the connection is closed — so
/// that the reason shows up in the client instead of an unexplained reset.
/// </summary>
internal sealed class PeerConnectionMiddleware(ListenerKind listener, AccessOptions access, ILogger logger)
{
    /// <summary>Wraps the rest of the connection pipeline.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => context =>
    {
        var socket = context.Features.Get<IConnectionSocketFeature>()?.Socket;
        var peer = socket is null ? null : PeerCredentialsReader.Read(socket);
        var refusal = Check(peer);
        context.Features.Set<IAgentConnectionFeature>(new AgentConnectionFeature(listener, peer, refusal));
        AgentLog.ConnectionAccepted(logger, listener, peer);
        return next(context);
    };

    private string? Check(PeerCredentials? peer)
    {
        if (access.AllowedUids.Count == 0 && access.AllowedGids.Count == 0)
        {
            return null;
        }

        if (peer is null)
        {
            return "access denied: the caller's credentials (SO_PEERCRED) could not be read";
        }

        if (access.AllowedUids.Contains(peer.Uid) || access.AllowedGids.Contains(peer.Gid))
        {
            return null;
        }

        return $"access denied: uid {peer.Uid} gid {peer.Gid} is not in the agent's allow-list (Access:AllowedUids / Access:AllowedGids)";
    }
}
