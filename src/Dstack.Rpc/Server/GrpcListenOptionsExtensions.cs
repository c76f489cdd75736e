using System.Security.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Dstack.Rpc.Server;

/// <summary>Kestrel listener settings for gRPC: HTTP/2 only, plain text (h2c) or TLS with ALPN <c>h2</c>.</summary>
public static class GrpcListenOptionsExtensions
{
    /// <summary>Makes the listener speak only HTTP/2 in plain text (h2c with prior knowledge), for loopback and tests.</summary>
    /// <param name="listenOptions">The Kestrel listener.</param>
    /// <returns>The listener.</returns>
    public static ListenOptions UseGrpcPlaintext(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        listenOptions.Protocols = HttpProtocols.Http2;
        return listenOptions;
    }

    /// <summary>
    /// Makes the listener speak only HTTP/2 over TLS 1.2+ (ALPN <c>h2</c>), with the server certificate and the
    /// client-certificate policy of <paramref name="tls"/>.
    /// </summary>
    /// <param name="listenOptions">The Kestrel listener.</param>
    /// <param name="tls">The certificates and client-certificate validation.</param>
    /// <returns>The listener.</returns>
    public static ListenOptions UseGrpcTls(this ListenOptions listenOptions, GrpcServerTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        ArgumentNullException.ThrowIfNull(tls);
        ArgumentNullException.ThrowIfNull(tls.ServerCertificate);
        if (!tls.ServerCertificate.HasPrivateKey)
        {
            throw new ArgumentException("The server certificate must carry its private key.", nameof(tls));
        }

        if (tls.ClientCertificateMode != ClientCertificateMode.NoCertificate && tls.ClientCertificateValidation is null)
        {
            throw new ArgumentException(
                "Client certificates are requested but no ClientCertificateValidation is set; the application must validate them.",
                nameof(tls));
        }

        listenOptions.Protocols = HttpProtocols.Http2;
        var validation = tls.ClientCertificateValidation;
        listenOptions.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = tls.ServerCertificate,
            ClientCertificateMode = tls.ClientCertificateMode,
            ClientCertificateValidation = validation is null ? null : (certificate, chain, errors) => validation(certificate, chain, errors),
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CheckCertificateRevocation = false,
        });
        return listenOptions;
    }
}
