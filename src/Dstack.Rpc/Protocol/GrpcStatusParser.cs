using System.Globalization;
using System.Net;

namespace Dstack.Rpc.Protocol;

/// <summary>Reads a status from header values and maps HTTP failures to status codes.</summary>
internal static class GrpcStatusParser
{
    /// <summary>Parses a <c>grpc-status</c> value; values outside 0–16 or non-numbers give <see cref="StatusCode.Unknown"/>.</summary>
    public static StatusCode ParseStatus(string? value)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && number is >= 0 and <= (int)StatusCode.Unauthenticated)
        {
            return (StatusCode)number;
        }

        return StatusCode.Unknown;
    }

    /// <summary>Formats a status code as its decimal wire value.</summary>
    public static string Format(StatusCode code) => ((int)code).ToString(CultureInfo.InvariantCulture);

    /// <summary>The status a client reports for a response whose HTTP status is not 200 (gRPC's HTTP mapping).</summary>
    public static StatusCode FromHttpStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests => StatusCode.Unavailable,
        HttpStatusCode.BadGateway => StatusCode.Unavailable,
        HttpStatusCode.ServiceUnavailable => StatusCode.Unavailable,
        HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };
}
