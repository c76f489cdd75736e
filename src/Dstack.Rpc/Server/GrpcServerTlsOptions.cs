using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Dstack.Rpc.Server;

/// <summary>TLS settings of a gRPC listener: the server certificate and how client certificates (mutual TLS) are handled.</summary>
public sealed class GrpcServerTlsOptions
{
    /// <summary>The server certificate, with its private key.</summary>
    public required X509Certificate2 ServerCertificate { get; init; }

    /// <summary>
    /// Whether a client certificate is requested: <see cref="ClientCertificateMode.AllowCertificate"/> asks for one
    /// without requiring it (the KMS: trusted methods check <see cref="CallContext.ClientCertificate"/> themselves),
    /// <see cref="ClientCertificateMode.RequireCertificate"/> refuses the handshake without one.
    /// </summary>
    public ClientCertificateMode ClientCertificateMode { get; init; } = ClientCertificateMode.NoCertificate;

    /// <summary>
    /// Decides whether a presented client certificate is accepted. Required whenever client certificates are requested:
    /// RA-TLS certificates are self-made, so the application validates them (for example against its temporary CA),
    /// never the operating system's store. The chain and errors are those the platform computed and may be ignored.
    /// </summary>
    public Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool>? ClientCertificateValidation { get; init; }
}
