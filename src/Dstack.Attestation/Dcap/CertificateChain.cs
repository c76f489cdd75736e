using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dstack.Attestation.Dcap;

/// <summary>
/// Parses PEM chains and checks them by hand (ECDSA-SHA256 signatures, validity, basic constraints) up to a
/// <see cref="TrustRoot"/>; the OS chain policy is not used because Intel certificates carry custom critical extensions.
/// </summary>
internal static class CertificateChain
{
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    private const int MaxCertificates = 8;

    /// <summary>Decodes every CERTIFICATE block of <paramref name="pem"/>, leaf first.</summary>
    public static List<X509Certificate2> ParsePem(string pem, string what)
    {
        var certificates = new List<X509Certificate2>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                if (certificates.Count == MaxCertificates)
                {
                    throw new FormatException($"{what}: more than {MaxCertificates} certificates");
                }

                var der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
                try
                {
                    certificates.Add(X509CertificateLoader.LoadCertificate(der));
                }
                catch (CryptographicException e)
                {
                    throw new FormatException($"{what}: certificate {certificates.Count} is not a valid X.509 certificate", e);
                }
            }

            rest = rest[fields.Location.End..];
        }

        return certificates;
    }

    /// <summary>Checks the chain <paramref name="certificates"/> (leaf first) and adds a reason per problem to <paramref name="failures"/>.</summary>
    public static void Validate(IReadOnlyList<X509Certificate2> certificates, TrustRoot root, DateTimeOffset now, string what, List<string> failures)
    {
        if (certificates.Count == 0)
        {
            failures.Add($"{what}: no certificates");
            return;
        }

        for (var i = 0; i < certificates.Count; i++)
        {
            var certificate = certificates[i];
            var name = $"{what} certificate {i} ({certificate.Subject})";
            var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            if (now < notBefore || now > notAfter)
            {
                failures.Add($"{name} is not valid at {now:O} (valid {notBefore:O} to {notAfter:O})");
            }

            if (i + 1 < certificates.Count)
            {
                var issuer = certificates[i + 1];
                if (!certificate.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
                {
                    failures.Add($"{name}: issuer name does not match the next certificate's subject");
                }

                CheckIsCa(issuer, intermediatesBelow: i, $"{what} certificate {i + 1} ({issuer.Subject})", failures);
                using var issuerKey = issuer.GetECDsaPublicKey();
                if (issuerKey is null || !VerifySignature(certificate.RawData, issuerKey))
                {
                    failures.Add($"{name}: signature does not verify with the issuer's key");
                }
            }
        }

        var last = certificates[^1];
        if (root.IsKeyOf(last))
        {
            return;
        }

        using var rootKey = root.CreatePublicKey();
        if (!VerifySignature(last.RawData, rootKey))
        {
            failures.Add($"{what}: chain does not end at the trust root '{root.Name}' (sha256:{root.PublicKeyFingerprint})");
        }
    }

    /// <summary>Verifies the ECDSA-SHA256 signature of a certificate or CRL (both are SEQUENCE { tbs, algorithm, BIT STRING }).</summary>
    public static bool VerifySignature(ReadOnlyMemory<byte> signedDer, ECDsa key)
    {
        try
        {
            var outer = new AsnReader(signedDer, AsnEncodingRules.DER).ReadSequence();
            var tbs = outer.ReadEncodedValue();
            var algorithm = outer.ReadSequence().ReadObjectIdentifier();
            var signature = outer.ReadBitString(out var unused);
            return algorithm == EcdsaWithSha256 && unused == 0
                && key.VerifyData(tbs.Span, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (AsnContentException)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static void CheckIsCa(X509Certificate2 issuer, int intermediatesBelow, string name, List<string> failures)
    {
        var constraints = issuer.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (constraints is null || !constraints.CertificateAuthority)
        {
            failures.Add($"{name} issues certificates but is not a CA (basic constraints)");
        }
        else if (constraints.HasPathLengthConstraint && intermediatesBelow > constraints.PathLengthConstraint)
        {
            failures.Add($"{name}: path length constraint {constraints.PathLengthConstraint} exceeded");
        }
    }
}
