using Google.Protobuf;

namespace Dstack.Rpc.Client;

/// <summary>Typed calls through <see cref="UnaryMethod{TRequest, TResponse}"/> descriptors.</summary>
public static class UnaryInvokerExtensions
{
    /// <summary>Calls <paramref name="method"/>; see <see cref="IUnaryInvoker.CallAsync{TRequest, TResponse}"/>.</summary>
    /// <typeparam name="TRequest">The request message.</typeparam>
    /// <typeparam name="TResponse">The response message.</typeparam>
    /// <param name="invoker">The client.</param>
    /// <param name="method">The method descriptor, for example <c>KmsMethods.GetMeta</c>.</param>
    /// <param name="request">The request message.</param>
    /// <param name="deadline">When the call must be over; null for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response message.</returns>
    public static Task<TResponse> CallAsync<TRequest, TResponse>(
        this IUnaryInvoker invoker,
        UnaryMethod<TRequest, TResponse> method,
        TRequest request,
        DateTimeOffset? deadline = null,
        CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(method);
        return invoker.CallAsync<TRequest, TResponse>(method.Service, method.Name, request, deadline, cancellationToken);
    }
}
