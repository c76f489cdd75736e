using System.Globalization;

namespace Dstack.Rpc;

/// <summary>
/// A call that ended with a non-OK gRPC status. Handlers throw it to answer with a status; clients receive it when the
/// server (or the transport) ended the call with one.
/// </summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates an exception with <see cref="StatusCode.Unknown"/> and no detail.</summary>
    public RpcException()
        : this(StatusCode.Unknown, string.Empty)
    {
    }

    /// <summary>Creates an exception with <see cref="StatusCode.Unknown"/> and the given detail.</summary>
    /// <param name="message">The status message.</param>
    public RpcException(string message)
        : this(StatusCode.Unknown, message)
    {
    }

    /// <summary>Creates an exception with <see cref="StatusCode.Unknown"/>, the given detail and cause.</summary>
    /// <param name="message">The status message.</param>
    /// <param name="innerException">The cause.</param>
    public RpcException(string message, Exception innerException)
        : this(StatusCode.Unknown, message, innerException)
    {
    }

    /// <summary>Creates an exception with a status code and message.</summary>
    /// <param name="statusCode">The gRPC status code.</param>
    /// <param name="detail">The status message, sent as <c>grpc-message</c> (any Unicode text).</param>
    public RpcException(StatusCode statusCode, string detail)
        : base(Describe(statusCode, detail))
    {
        StatusCode = statusCode;
        Detail = detail ?? string.Empty;
    }

    /// <summary>Creates an exception with a status code, message and cause.</summary>
    /// <param name="statusCode">The gRPC status code.</param>
    /// <param name="detail">The status message, sent as <c>grpc-message</c> (any Unicode text).</param>
    /// <param name="innerException">The cause; never sent to the peer.</param>
    public RpcException(StatusCode statusCode, string detail, Exception? innerException)
        : base(Describe(statusCode, detail), innerException)
    {
        StatusCode = statusCode;
        Detail = detail ?? string.Empty;
    }

    /// <summary>The gRPC status code.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The status message (<c>grpc-message</c>, percent-decoded).</summary>
    public string Detail { get; }

    private static string Describe(StatusCode statusCode, string? detail) =>
        string.Create(CultureInfo.InvariantCulture, $"Status(StatusCode=\"{statusCode}\", Detail=\"{detail}\")");
}
