using System.Security.Cryptography.X509Certificates;

namespace Dstack.Kms.Authentication;

/// <summary>
/// The TLS-layer check of an RA-TLS client certificate (kms.md §1.4): it must chain to the KMS temp CA. The temp CA key
/// is public, so this only filters garbage; the attestation inside the certificate is what authenticates the caller.
/// </summary>
internal static class TempCaClientCertificates
{
    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="tempCa"/> (revocation not checked).</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 tempCa)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(tempCa);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(tempCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(certificate);
    }
}
