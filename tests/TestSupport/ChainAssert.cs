using System.Security.Cryptography.X509Certificates;

namespace Dstack.Tests;

/// <summary>Asserts on certificate chains.</summary>
internal static class ChainAssert
{
    /// <summary>
    /// <paramref name="leaf"/> chains through <paramref name="intermediate"/> to <paramref name="root"/>, trusting
    /// <paramref name="root"/> only (signatures, validity and CA constraints checked; EKU ignored; no revocation).
    /// </summary>
    public static void Chains(X509Certificate2 leaf, X509Certificate2 intermediate, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.Add(intermediate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreWrongUsage;
        Assert.True(chain.Build(leaf), string.Join(", ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation}")));
        Assert.Equal([leaf.Thumbprint, intermediate.Thumbprint, root.Thumbprint], chain.ChainElements.Select(e => e.Certificate.Thumbprint));
    }
}
