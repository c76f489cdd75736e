using System.Globalization;
using System.Net.Sockets;
using Dstack.Rpc.Protocol;
using Microsoft.AspNetCore.Http;

namespace Dstack.Rpc.Server;

/// <summary>Request checks and status responses shared by every server endpoint.</summary>
internal static class GrpcServerCall
{
    /// <summary>
    /// Checks that the request is gRPC over HTTP/2. When it is not, writes the HTTP answer the protocol asks for and
    /// returns false.
    /// </summary>
    public static async ValueTask<bool> CheckRequestAsync(HttpContext http)
    {
        if (!HttpProtocol.IsHttp2(http.Request.Protocol) && !HttpProtocol.IsHttp3(http.Request.Protocol))
        {
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            http.Response.Headers.Upgrade = "h2";
            await WriteStatusAsync(http, StatusCode.Internal, "gRPC requires HTTP/2; the request used " + http.Request.Protocol).ConfigureAwait(false);
            return false;
        }

        if (!GrpcHeaders.IsGrpcProtoContentType(http.Request.ContentType))
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await WriteStatusAsync(http, StatusCode.Internal, "Content-Type must be application/grpc or application/grpc+proto").ConfigureAwait(false);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Ends the call with a status. Before the response has started this is a Trailers-Only response (the status in
    /// the headers, no body); afterwards the status goes into the trailers.
    /// </summary>
    public static Task WriteStatusAsync(HttpContext http, StatusCode code, string? detail)
    {
        var response = http.Response;
        var status = GrpcStatusParser.Format(code);
        var message = string.IsNullOrEmpty(detail) ? null : StatusMessageEncoding.Encode(detail);
        if (response.HasStarted)
        {
            response.AppendTrailer(GrpcHeaders.Status, status);
            if (message is not null)
            {
                response.AppendTrailer(GrpcHeaders.Message, message);
            }

            return Task.CompletedTask;
        }

        if (response.StatusCode == StatusCodes.Status200OK || response.StatusCode == 0)
        {
            response.StatusCode = StatusCodes.Status200OK;
        }

        response.ContentType = GrpcHeaders.ContentType;
        response.Headers[GrpcHeaders.AcceptEncoding] = GrpcHeaders.IdentityEncoding;
        response.Headers[GrpcHeaders.Status] = status;
        if (message is not null)
        {
            response.Headers[GrpcHeaders.Message] = message;
        }

        return Task.CompletedTask;
    }

    /// <summary>The peer in gRPC's notation: <c>ipv4:host:port</c>, <c>ipv6:[host]:port</c> or <c>unknown</c>.</summary>
    public static string DescribePeer(HttpContext http)
    {
        var connection = http.Connection;
        if (connection.RemoteIpAddress is not { } address)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"ipv6:[{address}]:{connection.RemotePort}")
            : string.Create(CultureInfo.InvariantCulture, $"ipv4:{address}:{connection.RemotePort}");
    }

    /// <summary>The request headers as metadata: lower-case names, repeated values joined with commas.</summary>
    public static Dictionary<string, string> ReadMetadata(HttpContext http)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in http.Request.Headers)
        {
            metadata[name.ToLowerInvariant()] = values.ToString();
        }

        return metadata;
    }
}
