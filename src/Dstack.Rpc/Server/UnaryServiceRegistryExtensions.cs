using Google.Protobuf;

namespace Dstack.Rpc.Server;

/// <summary>Typed registration through <see cref="UnaryMethod{TRequest, TResponse}"/> descriptors.</summary>
public static class UnaryServiceRegistryExtensions
{
    /// <summary>Serves <paramref name="method"/> with <paramref name="handler"/>.</summary>
    /// <typeparam name="TRequest">The request message.</typeparam>
    /// <typeparam name="TResponse">The response message.</typeparam>
    /// <param name="registry">The registry.</param>
    /// <param name="method">The method descriptor, for example <c>KmsMethods.GetMeta</c>.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>The registry, for chaining.</returns>
    public static IUnaryServiceRegistry MapUnary<TRequest, TResponse>(
        this IUnaryServiceRegistry registry,
        UnaryMethod<TRequest, TResponse> method,
        UnaryHandler<TRequest, TResponse> handler)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(method);
        return registry.MapUnary(method.Service, method.Name, handler);
    }
}
