using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dstack.Kms.Hosting;

/// <summary>
/// The HTTP surface of the KMS listener. The gRPC transport (<c>Dstack.Rpc</c>, service <c>KMS</c> of
/// <c>protos/kms.proto</c>) is mapped here onto <see cref="Service.KmsService"/>, one thin mapping per RPC from the wire
/// messages to the service's domain records and from <see cref="Service.KmsRefusal"/> to a gRPC status.
/// </summary>
internal static class KmsEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapKmsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", () => Results.Text("OK"));
        return endpoints;
    }
}
