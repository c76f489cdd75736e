using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Crypto.RaTls;

namespace Dstack.Kms.Keys;

/// <summary>The KMS certificate profiles of kms.md §2.1 (root CA, temp CA, RPC, app CA).</summary>
internal static class KmsCertificates
{
    /// <summary>Organisation of the KMS CA certificates.</summary>
    public const string Organization = "Dstack";

    /// <summary>CN of the root CA.</summary>
    public const string RootCaName = "Dstack KMS CA";

    /// <summary>CN of the temp client CA.</summary>
    public const string TempCaName = "Dstack Client Temp CA";

    /// <summary>CN of the per-app CA.</summary>
    public const string AppCaName = "Dstack App CA";

    /// <summary>Special usage of the RPC certificate.</summary>
    public const string RpcUsage = "kms:rpc";

    /// <summary>Special usage of the per-app CA.</summary>
    public const string AppCaUsage = "app:ca";

    /// <summary>Self-signed root CA: O=Dstack, CN=Dstack KMS CA, path length 1.</summary>
    public static X509Certificate2 CreateRootCa(RaTlsCertificateBuilder builder, ECDsa key) =>
        builder.IssueSelfSigned(key, CaOptions(RootCaName, pathLength: 1));

    /// <summary>Self-signed temp CA: O=Dstack, CN=Dstack Client Temp CA, path length 0.</summary>
    public static X509Certificate2 CreateTempCa(RaTlsCertificateBuilder builder, ECDsa key) =>
        builder.IssueSelfSigned(key, CaOptions(TempCaName, pathLength: 0));

    /// <summary>RPC server certificate: CN and SAN = domain, special usage <c>kms:rpc</c>, the KMS attestation, signed by the root CA.</summary>
    public static X509Certificate2 CreateRpc(RaTlsCertificateBuilder builder, ReadOnlySpan<byte> rpcSpki, string domain, byte[] attestation, X509Certificate2 rootCa, ECDsa rootKey) =>
        builder.Issue(rpcSpki, new RaTlsCertificateOptions
        {
            Subject = domain,
            AltNames = [domain],
            SpecialUsage = RpcUsage,
            Attestation = attestation,
        }, rootCa.SubjectName, rootKey);

    /// <summary>Per-app CA: O=Dstack, CN=Dstack App CA, path length 0, app id and <c>app:ca</c> extensions, signed by the root CA.</summary>
    public static X509Certificate2 CreateAppCa(RaTlsCertificateBuilder builder, ReadOnlySpan<byte> appCaSpki, byte[] appId, X509Certificate2 rootCa, ECDsa rootKey) =>
        builder.Issue(appCaSpki, new RaTlsCertificateOptions
        {
            Subject = AppCaName,
            OrganizationName = Organization,
            IsCertificateAuthority = true,
            PathLength = 0,
            AppId = appId,
            SpecialUsage = AppCaUsage,
        }, rootCa.SubjectName, rootKey);

    /// <summary>PEM of a certificate, with a trailing newline.</summary>
    public static string ToPem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    private static RaTlsCertificateOptions CaOptions(string name, int pathLength) => new()
    {
        Subject = name,
        OrganizationName = Organization,
        IsCertificateAuthority = true,
        PathLength = pathLength,
        SpecialUsage = null,
    };
}
