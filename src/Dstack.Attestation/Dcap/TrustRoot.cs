using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dstack.Attestation.Dcap;

/// <summary>
/// A trust anchor for DCAP verification: a name and a P-256 root public key (with its certificate when known).
/// The root is identified by its public key, so re-issued certificates for the same key are the same root.
/// </summary>
public sealed class TrustRoot
{
    private static readonly Lazy<TrustRoot> Intel = new(() => FromCertificatePem(IntelRootCertificate.Name, IntelRootCertificate.Pem));

    private readonly byte[] _subjectPublicKeyInfo;

    private TrustRoot(string name, byte[] subjectPublicKeyInfo, X509Certificate2? certificate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _subjectPublicKeyInfo = subjectPublicKeyInfo;
        Certificate = certificate;
        using var key = CreatePublicKey();
        var parameters = key.ExportParameters(false);
        if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ArgumentException("a DCAP trust root must be a P-256 key", nameof(subjectPublicKeyInfo));
        }

        PublicKeyFingerprint = Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));
    }

    /// <summary>The production default: the Intel SGX Root CA.</summary>
    public static TrustRoot IntelSgxRootCa => Intel.Value;

    /// <summary>A human-readable name for reports (e.g. "Intel SGX Root CA").</summary>
    public string Name { get; }

    /// <summary>The root certificate, when the root was created from one.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The root public key as DER SubjectPublicKeyInfo.</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo => _subjectPublicKeyInfo;

    /// <summary>Lowercase hex SHA-256 of <see cref="SubjectPublicKeyInfo"/>; identifies the root in results.</summary>
    public string PublicKeyFingerprint { get; }

    /// <summary>Creates a trust root from a certificate (its public key is the anchor).</summary>
    public static TrustRoot FromCertificate(string name, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new TrustRoot(name, certificate.PublicKey.ExportSubjectPublicKeyInfo(), certificate);
    }

    /// <summary>Creates a trust root from a PEM certificate.</summary>
    public static TrustRoot FromCertificatePem(string name, string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return FromCertificate(name, X509Certificate2.CreateFromPem(pem));
    }

    /// <summary>Creates a trust root from a bare public key (DER SubjectPublicKeyInfo of a P-256 key).</summary>
    public static TrustRoot FromSubjectPublicKeyInfo(string name, ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        new(name, subjectPublicKeyInfo.ToArray(), null);

    internal ECDsa CreatePublicKey()
    {
        var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(_subjectPublicKeyInfo, out _);
        return key;
    }

    internal bool IsKeyOf(X509Certificate2 certificate) =>
        certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(_subjectPublicKeyInfo);
}
