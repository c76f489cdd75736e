using System.Security.Cryptography.X509Certificates;

namespace Dstack.Rpc.Server;

/// <summary>What a unary handler knows about the call besides its request message.</summary>
public sealed class CallContext
{
    /// <summary>Creates a call context; the server makes one per call, tests may make their own.</summary>
    /// <param name="method">The method path, <c>/package.Service/Method</c>.</param>
    /// <param name="peer">The remote end, for example <c>ipv4:127.0.0.1:50312</c>.</param>
    /// <param name="clientCertificate">The TLS client certificate, when the caller presented one.</param>
    /// <param name="deadline">The deadline the caller set with <c>grpc-timeout</c>, if any.</param>
    /// <param name="requestHeaders">Request metadata: lower-case header names, repeated values joined with commas.</param>
    /// <param name="cancellationToken">Cancelled when the deadline passes or the caller goes away.</param>
    public CallContext(
        string method,
        string peer,
        X509Certificate2? clientCertificate,
        DateTimeOffset? deadline,
        IReadOnlyDictionary<string, string>? requestHeaders,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(peer);
        Method = method;
        Peer = peer;
        ClientCertificate = clientCertificate;
        Deadline = deadline;
        RequestHeaders = requestHeaders ?? new Dictionary<string, string>();
        CancellationToken = cancellationToken;
    }

    /// <summary>The method path, <c>/package.Service/Method</c>.</summary>
    public string Method { get; }

    /// <summary>The remote end, for example <c>ipv4:127.0.0.1:50312</c> or <c>ipv6:[::1]:50312</c>.</summary>
    public string Peer { get; }

    /// <summary>
    /// The TLS client certificate the caller presented (mutual TLS), already accepted by the listener's validation
    /// callback; null on plain-text connections and when the caller presented none.
    /// </summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>The deadline the caller set with <c>grpc-timeout</c>, if any.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Request metadata: lower-case header names, repeated values joined with commas.</summary>
    public IReadOnlyDictionary<string, string> RequestHeaders { get; }

    /// <summary>Cancelled when the deadline passes or the caller goes away; pass it to everything the handler awaits.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>A request header by name (case-insensitive), or null.</summary>
    /// <param name="name">The header name.</param>
    public string? GetRequestHeader(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return RequestHeaders.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
    }
}
