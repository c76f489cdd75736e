using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Dstack.Rpc.Client;

/// <summary>Where a <see cref="UnaryClient"/> connects and how: address, TLS, limits.</summary>
public sealed class UnaryClientOptions
{
    /// <summary>The default receive limit, 4 MiB, as in other gRPC implementations.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// The server's base address: <c>https://host:port</c> for TLS with ALPN <c>h2</c>, <c>http://host:port</c> for
    /// plain-text HTTP/2 (h2c with prior knowledge). A path, if any, is kept as a prefix of the method paths.
    /// </summary>
    public required Uri Address { get; init; }

    /// <summary>The client certificate for mutual TLS (with its private key), for example an RA-TLS certificate.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>
    /// Decides whether the server certificate is accepted (for example: pin the KMS by its RA-TLS certificate or CA).
    /// The chain and errors are those the platform computed and may be ignored. When null, the operating system's
    /// validation applies (public CAs and the host name).
    /// </summary>
    public Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool>? ServerCertificateValidation { get; init; }

    /// <summary>Largest response message accepted; larger ones fail the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; init; } = DefaultMaxReceiveMessageSize;

    /// <summary>Largest request message sent; larger ones fail the call with RESOURCE_EXHAUSTED before sending.</summary>
    public int MaxSendMessageSize { get; init; } = int.MaxValue - 5;

    /// <summary>How long establishing a connection (TCP and TLS) may take before the call fails with UNAVAILABLE.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock used for deadlines.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where failed calls are logged (debug level); nowhere when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// A handler to send requests through instead of the client's own <see cref="System.Net.Http.SocketsHttpHandler"/>
    /// (the TLS settings above are then ignored). The client does not dispose it.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; init; }
}
