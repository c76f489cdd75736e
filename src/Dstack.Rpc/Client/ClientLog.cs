using Microsoft.Extensions.Logging;

namespace Dstack.Rpc.Client;

/// <summary>Log messages of the gRPC client transport.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "gRPC call {Path} ended with {StatusCode}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string path, StatusCode statusCode, string detail);
}
