using Google.Protobuf;

namespace Dstack.Rpc;

/// <summary>Names one unary method and its message types, so that servers map it and clients call it by one value.</summary>
/// <typeparam name="TRequest">The request message.</typeparam>
/// <typeparam name="TResponse">The response message.</typeparam>
public sealed class UnaryMethod<TRequest, TResponse>
    where TRequest : IMessage<TRequest>, new()
    where TResponse : IMessage<TResponse>, new()
{
    /// <summary>Creates a method descriptor.</summary>
    /// <param name="service">The fully qualified service name, <c>package.Service</c>.</param>
    /// <param name="name">The method name.</param>
    public UnaryMethod(string service, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Service = service;
        Name = name;
    }

    /// <summary>The fully qualified service name, <c>package.Service</c>.</summary>
    public string Service { get; }

    /// <summary>The method name.</summary>
    public string Name { get; }

    /// <summary>The HTTP/2 path, <c>/package.Service/Method</c>.</summary>
    public string Path => "/" + Service + "/" + Name;

    /// <inheritdoc />
    public override string ToString() => Path;
}
