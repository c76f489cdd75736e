using Google.Protobuf;

namespace Dstack.Rpc.Server;

/// <summary>
/// Where services register their unary handlers. The seam between service code (the KMS) and the transport: this
/// project's Kestrel transport implements it with <see cref="GrpcServiceBuilder"/>; a Grpc.AspNetCore adapter could too.
/// </summary>
public interface IUnaryServiceRegistry
{
    /// <summary>Serves <c>/{service}/{method}</c> with <paramref name="handler"/>.</summary>
    /// <typeparam name="TRequest">The request message.</typeparam>
    /// <typeparam name="TResponse">The response message.</typeparam>
    /// <param name="service">The fully qualified service name, <c>package.Service</c>.</param>
    /// <param name="method">The method name.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>This registry, for chaining.</returns>
    IUnaryServiceRegistry MapUnary<TRequest, TResponse>(string service, string method, UnaryHandler<TRequest, TResponse> handler)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new();
}
