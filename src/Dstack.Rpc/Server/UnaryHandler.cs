namespace Dstack.Rpc.Server;

/// <summary>Handles one unary call: returns the response, or throws <see cref="RpcException"/> to answer with a status.</summary>
/// <typeparam name="TRequest">The request message.</typeparam>
/// <typeparam name="TResponse">The response message.</typeparam>
/// <param name="request">The parsed request message.</param>
/// <param name="context">The call's deadline, cancellation, metadata, peer and client certificate.</param>
/// <returns>The response message.</returns>
public delegate Task<TResponse> UnaryHandler<in TRequest, TResponse>(TRequest request, CallContext context);
