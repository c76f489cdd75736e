using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dstack.Agent.Identity;

/// <summary>
/// The KMS that signs this app's certificates (key provider <c>Kms</c>, spec §4.2 step 4): the URL the boot recorded in
/// <c>key_provider.Kms.url</c> and the KMS root CA (<c>ca_cert</c>), the only certificate its server is checked against.
/// </summary>
internal sealed class KmsCertificateAuthority
{
    /// <summary>Reads the root CA and, when <paramref name="rootCaPublicKey"/> is given, checks that it is its key.</summary>
    /// <exception cref="Api.RpcException">The certificate is not PEM, or its key is not the recorded one.</exception>
    public KmsCertificateAuthority(string url, string rootCaPem, ReadOnlySpan<byte> rootCaPublicKey)
    {
        ArgumentNullException.ThrowIfNull(url);
        Url = url;
        try
        {
            RootCa = X509Certificate2.CreateFromPem(rootCaPem);
        }
        catch (CryptographicException ex)
        {
            throw new Api.RpcException("the KMS root CA (ca_cert) is not a PEM certificate", ex);
        }

        if (!rootCaPublicKey.IsEmpty && !rootCaPublicKey.SequenceEqual(RootCa.PublicKey.ExportSubjectPublicKeyInfo()))
        {
            throw new Api.RpcException("the KMS root CA (ca_cert) does not hold the key provider's pubkey");
        }
    }

    /// <summary>The KMS URL.</summary>
    public string Url { get; }

    /// <summary>The KMS root CA certificate.</summary>
    public X509Certificate2 RootCa { get; }
}
