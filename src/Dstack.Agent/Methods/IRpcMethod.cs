using Google.Protobuf;

namespace Dstack.Agent.Methods;

/// <summary>One RPC method, independent of the wire encoding. Implement by deriving from <see cref="RpcMethod{TRequest, TResponse}"/>.</summary>
internal interface IRpcMethod
{
    /// <summary>The bare proto method name (<c>GetKey</c>, not <c>DstackGuest.GetKey</c>).</summary>
    string Name { get; }

    /// <summary>The services that serve this method under <see cref="Name"/>.</summary>
    IReadOnlyList<RpcService> Services { get; }

    /// <summary>True when the argument is <c>google.protobuf.Empty</c>: the request body is ignored entirely.</summary>
    bool IgnoresInput { get; }

    /// <summary>
    /// True when the method answers with the same message instance while its answer does not change (a cached answer);
    /// such instances are never mutated, so the endpoint may keep their encodings.
    /// </summary>
    bool RepeatsAnswers { get; }

    /// <summary>A new all-defaults request message, to merge the request into.</summary>
    IMessage CreateRequest();

    /// <summary>Runs the method; returns null for <c>google.protobuf.Empty</c> results (JSON <c>null</c>).</summary>
    Task<IMessage?> InvokeAsync(IMessage request, CancellationToken cancellationToken);
}
