using System.Security.Cryptography.X509Certificates;

namespace Dstack.Kms.Hosting;

/// <summary>Keeps the TLS server certificate (with its key) alive for the listener's lifetime.</summary>
internal sealed class X509CertificateCache(X509Certificate2 certificate)
{
    /// <summary>The certificate.</summary>
    public X509Certificate2 Certificate { get; } = certificate;
}
