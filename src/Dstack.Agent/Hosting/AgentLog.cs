using Dstack.Agent.Transport;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Hosting;

/// <summary>The daemon's log messages (source-generated). Never log key material here.</summary>
internal static partial class AgentLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Listening for {Listener} on {Path} (mode {Mode}, group {Group})")]
    public static partial void BoundSocket(ILogger logger, ListenerKind listener, string path, string mode, string group);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Listening for {Listener} on socket-activated {Description}")]
    public static partial void UsingActivatedSocket(ILogger logger, ListenerKind listener, string description);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Could not remove socket {Path}")]
    public static partial void SocketCleanupFailed(ILogger logger, string path, Exception exception);


    // Debug: a line per served request costs more than most methods (Version's throughput halves at Information)
    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "{Listener} {HttpMethod} {Path} from {Peer} -> {Status}")]
    public static partial void RequestServed(ILogger logger, ListenerKind listener, string httpMethod, string path, string peer, int status);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "{Listener} {HttpMethod} {Path} refused: {Reason}")]
    public static partial void RequestRefused(ILogger logger, ListenerKind listener, string httpMethod, string path, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "{Listener} {HttpMethod} {Path} from {Peer} failed: {Error}")]
    public static partial void RequestFailed(ILogger logger, ListenerKind listener, string httpMethod, string path, string peer, string error);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "{Listener} method {Method} threw")]
    public static partial void MethodThrew(ILogger logger, ListenerKind listener, string method, Exception exception);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "{Listener} connection from {Peer}")]
    public static partial void ConnectionAccepted(ILogger logger, ListenerKind listener, PeerCredentials? peer);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Could not issue the demo certificate (Info.app_cert), retried on the next Info: {Reason}")]
    public static partial void DemoCertificateFailed(ILogger logger, string reason);
}
