namespace Dstack.Rpc.Protocol;

/// <summary>Header names and values of the gRPC-over-HTTP/2 protocol.</summary>
internal static class GrpcHeaders
{
    public const string ContentType = "application/grpc";
    public const string ProtoContentType = "application/grpc+proto";
    public const string Status = "grpc-status";
    public const string Message = "grpc-message";
    public const string Timeout = "grpc-timeout";
    public const string Encoding = "grpc-encoding";
    public const string AcceptEncoding = "grpc-accept-encoding";
    public const string IdentityEncoding = "identity";

    /// <summary>
    /// True for <c>application/grpc</c> and <c>application/grpc+proto</c>, with optional parameters; false for other
    /// sub-types (for example <c>+json</c>) and other media types.
    /// </summary>
    public static bool IsGrpcProtoContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals(ContentType, StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals(ProtoContentType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when the encoding header is absent or names the identity encoding.</summary>
    public static bool IsIdentityOrAbsent(string? encoding) =>
        string.IsNullOrEmpty(encoding) || encoding.Trim().Equals(IdentityEncoding, StringComparison.OrdinalIgnoreCase);
}
