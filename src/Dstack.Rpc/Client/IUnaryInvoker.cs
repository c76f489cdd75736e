using Google.Protobuf;

namespace Dstack.Rpc.Client;

/// <summary>
/// Calls unary gRPC methods on one server. The seam between callers (the agent's KMS client) and the transport:
/// <see cref="UnaryClient"/> implements it on HttpClient; a Grpc.Net.Client adapter could too, and tests may fake it.
/// </summary>
public interface IUnaryInvoker
{
    /// <summary>Calls <c>/{service}/{method}</c> with one request message and returns the one response message.</summary>
    /// <typeparam name="TRequest">The request message.</typeparam>
    /// <typeparam name="TResponse">The response message.</typeparam>
    /// <param name="service">The fully qualified service name, <c>package.Service</c>.</param>
    /// <param name="method">The method name.</param>
    /// <param name="request">The request message.</param>
    /// <param name="deadline">When the call must be over; sent to the server as <c>grpc-timeout</c>. Null for none.</param>
    /// <param name="cancellationToken">Cancels the call (then <see cref="OperationCanceledException"/> is thrown).</param>
    /// <returns>The response message.</returns>
    /// <exception cref="RpcException">
    /// The server or the transport ended the call with a non-OK status: the server's status, DEADLINE_EXCEEDED when
    /// the deadline passed, UNAVAILABLE when the server could not be reached or the connection failed.
    /// </exception>
    Task<TResponse> CallAsync<TRequest, TResponse>(
        string service,
        string method,
        TRequest request,
        DateTimeOffset? deadline = null,
        CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new();
}
