using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Crypto.Encodings;

namespace Dstack.Agent.Identity;

/// <summary>The app CA that signs leaf certificates locally (key providers None/Local/Tpm, and dev mode).</summary>
internal sealed class AppCertificateAuthority
{
    private readonly byte[] _privateKey;

    /// <summary>Creates the CA from its certificate PEM (copied verbatim into chains) and P-256 private scalar.</summary>
    public AppCertificateAuthority(string certificatePem, ReadOnlySpan<byte> privateKey)
    {
        ArgumentNullException.ThrowIfNull(certificatePem);
        CertificatePem = certificatePem;
        Certificate = X509Certificate2.CreateFromPem(certificatePem);
        _privateKey = privateKey.ToArray();
        using var key = CreateKey();
        using var certificateKey = Certificate.GetECDsaPublicKey()
            ?? throw new Api.RpcException("the app CA certificate does not hold an EC public key");
        if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(certificateKey.ExportSubjectPublicKeyInfo()))
        {
            throw new Api.RpcException("the app CA key does not match the app CA certificate");
        }
    }

    /// <summary>The CA certificate.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as given (the chain's last element).</summary>
    public string CertificatePem { get; }

    /// <summary>A new handle on the CA key; the caller disposes it.</summary>
    public ECDsa CreateKey() => P256KeyEncoding.CreateECDsa(_privateKey);
}
