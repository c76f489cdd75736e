using Microsoft.AspNetCore.Routing;

namespace Dstack.Rpc.Server;

/// <summary>Entry point of the gRPC server transport on ASP.NET Core endpoint routing.</summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Returns the gRPC service builder of these endpoints, creating it on the first call. Map handlers on it with
    /// <see cref="GrpcServiceBuilder.MapUnary{TRequest, TResponse}"/>. The listener must speak HTTP/2 (see
    /// <see cref="GrpcListenOptionsExtensions"/>).
    /// </summary>
    /// <param name="endpoints">The application's endpoints, for example a <c>WebApplication</c>.</param>
    /// <param name="options">Limits and behaviour; defaults when null. Only the first call may set them.</param>
    /// <returns>The builder.</returns>
    public static GrpcServiceBuilder MapGrpcUnary(this IEndpointRouteBuilder endpoints, GrpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return GrpcServiceBuilder.GetOrCreate(endpoints, options);
    }
}
