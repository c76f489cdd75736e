using Microsoft.Extensions.Logging;

namespace Dstack.Rpc.Server;

/// <summary>Log messages of the gRPC server transport.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "gRPC handler for {Method} threw an unexpected exception")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "gRPC call {Method} ended with {StatusCode}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "gRPC call {Method} abandoned: the caller went away")]
    public static partial void CallerGone(ILogger logger, string method);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "gRPC request for unknown method {Path}")]
    public static partial void UnknownMethod(ILogger logger, string path);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "gRPC handler for {Method} failed after its deadline had passed")]
    public static partial void HandlerFailedAfterDeadline(ILogger logger, string method, Exception exception);
}
