using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dstack.Attestation.Dcap;

/// <summary>
/// Certificate path validation with mandatory revocation checking, as dcap-qvl does it with webpki (spec dcap-collateral §2):
/// a path from the leaf through the given intermediates to the pinned <see cref="TrustRoot"/> (a root copy in the chain is
/// never trusted by itself), every certificate valid at <c>now</c> (inclusive), issuers must be CAs, and every non-anchor
/// certificate needs an authoritative, correctly signed, unexpired CRL that does not list it.
/// </summary>
internal static class CrlCheckedChain
{
    private const int MaxDepth = 6;

    /// <summary>Checks the path of <paramref name="chain"/> (leaf first); returns <see langword="null"/> when valid, else why not.</summary>
    public static string? Verify(IReadOnlyList<X509Certificate2> chain, TrustRoot root, DateTimeOffset now, IReadOnlyList<RevocationList> crls)
    {
        if (chain.Count == 0)
        {
            return "no certificates";
        }

        var leaf = chain[0];
        if (IsCa(leaf))
        {
            return $"the end-entity certificate '{leaf.Subject}' is a CA";
        }

        // build the path first (validity, issuer names, signatures, CA constraints), then check revocation along it
        var path = new List<X509Certificate2> { leaf };
        var current = leaf;
        for (var depth = 0; !IssuedByAnchor(current, root); depth++)
        {
            if (Validity(current, now) is { } invalid)
            {
                return invalid;
            }

            var issuer = depth < MaxDepth ? FindIssuer(current, chain, path) : null;
            if (issuer is null)
            {
                return $"chain does not end at the trust root '{root.Name}' (no trusted issuer for '{current.Subject}')";
            }

            var constraints = issuer.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
            if (constraints is not { CertificateAuthority: true })
            {
                return $"'{issuer.Subject}' issues certificates but is not a CA";
            }

            if (constraints.HasPathLengthConstraint && depth > constraints.PathLengthConstraint)
            {
                return $"'{issuer.Subject}': path length constraint {constraints.PathLengthConstraint} exceeded";
            }

            path.Add(issuer);
            current = issuer;
        }

        if (Validity(current, now) is { } lastInvalid)
        {
            return lastInvalid;
        }

        for (var i = 0; i < path.Count; i++)
        {
            var issuer = i + 1 < path.Count ? path[i + 1] : root.Certificate;
            using var issuerKey = i + 1 < path.Count ? path[i + 1].GetECDsaPublicKey()! : root.CreatePublicKey();
            if (CheckRevocation(path[i], isCa: i > 0, issuerKey, issuer, now, crls) is { } revocation)
            {
                return revocation;
            }
        }

        return null;
    }

    /// <summary>Checks the trust anchor's own certificate against its authoritative CRL (dcap-qvl step 1).</summary>
    public static string? CheckAnchor(TrustRoot root, DateTimeOffset now, IReadOnlyList<RevocationList> crls)
    {
        using var rootKey = root.CreatePublicKey();
        if (root.Certificate is { } certificate)
        {
            return CheckRevocation(certificate, isCa: true, rootKey, certificate, now, crls);
        }

        // a key-only anchor: the CRL it signs must still be valid
        var crl = crls.FirstOrDefault(c => CertificateChain.VerifySignature(c.Der, rootKey));
        return crl is null ? "no CRL signed by the trust root" : now < crl.NextUpdate ? null : "the root CA CRL has expired";
    }

    private static string? CheckRevocation(X509Certificate2 certificate, bool isCa, ECDsa issuerKey, X509Certificate2? issuer, DateTimeOffset now, IReadOnlyList<RevocationList> crls)
    {
        var issuerName = certificate.IssuerName.RawData;
        var crl = crls.FirstOrDefault(c => c.Issuer.AsSpan().SequenceEqual(issuerName) && c.Covers(certificate, isCa));
        if (crl is null)
        {
            return $"revocation status of '{certificate.Subject}' is unknown: no CRL issued by '{certificate.Issuer}'";
        }

        if (!CertificateChain.VerifySignature(crl.Der, issuerKey))
        {
            return $"the CRL of '{certificate.Issuer}' has an invalid signature";
        }

        if (issuer?.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage && (usage.KeyUsages & X509KeyUsageFlags.CrlSign) == 0)
        {
            return $"'{certificate.Issuer}' may not sign CRLs (key usage)";
        }

        if (now >= crl.NextUpdate)
        {
            return $"the CRL of '{certificate.Issuer}' expired at {crl.NextUpdate:O}";
        }

        return crl.IsRevoked(certificate.SerialNumberBytes.Span)
            ? $"certificate '{certificate.Subject}' (serial {certificate.SerialNumber}) is revoked"
            : null;
    }

    private static string? Validity(X509Certificate2 certificate, DateTimeOffset now)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        return now < notBefore || now > notAfter
            ? $"certificate '{certificate.Subject}' is not valid at {now:O} (valid {notBefore:O} to {notAfter:O})"
            : null;
    }

    private static bool IssuedByAnchor(X509Certificate2 certificate, TrustRoot root)
    {
        if (root.Certificate is { } anchor && !certificate.IssuerName.RawData.AsSpan().SequenceEqual(anchor.SubjectName.RawData))
        {
            return false;
        }

        using var key = root.CreatePublicKey();
        return CertificateChain.VerifySignature(certificate.RawData, key);
    }

    private static X509Certificate2? FindIssuer(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> chain, List<X509Certificate2> used)
    {
        foreach (var candidate in chain)
        {
            if (used.Exists(u => ReferenceEquals(u, candidate)) || !candidate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
            {
                continue;
            }

            using var key = candidate.GetECDsaPublicKey();
            if (key is not null && CertificateChain.VerifySignature(certificate.RawData, key))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };
}
