using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Dstack.Agent.Methods;

/// <summary>
/// Base class of a typed method: the request and response are the generated protobuf messages, which are the
/// single model for both the JSON and the protobuf body forms. Throw <see cref="Api.RpcException"/> for errors the
/// caller should see.
/// </summary>
internal abstract class RpcMethod<TRequest, TResponse> : IRpcMethod
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private static readonly RpcService[] DstackOnly = [RpcService.DstackGuest];

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public virtual IReadOnlyList<RpcService> Services => DstackOnly;

    /// <inheritdoc />
    public bool IgnoresInput { get; } = typeof(TRequest) == typeof(Empty);

    /// <inheritdoc />
    public virtual bool RepeatsAnswers => false;

    /// <inheritdoc />
    public IMessage CreateRequest() => new TRequest();

    /// <inheritdoc />
    public async Task<IMessage?> InvokeAsync(IMessage request, CancellationToken cancellationToken)
    {
        var response = await InvokeAsync((TRequest)request, cancellationToken).ConfigureAwait(false);
        return response is Empty ? null : response;
    }

    /// <summary>Runs the method.</summary>
    protected abstract Task<TResponse> InvokeAsync(TRequest request, CancellationToken cancellationToken);
}
