using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dstack.Agent.Tests.Support;

/// <summary>Certificate checks that do not depend on chain-building policy.</summary>
public static class CertificateAssert
{
    /// <summary>Asserts that <paramref name="leaf"/>'s signature verifies with <paramref name="issuer"/>'s key and names it as issuer.</summary>
    public static void SignedBy(X509Certificate2 leaf, X509Certificate2 issuer)
    {
        Assert.Equal(issuer.SubjectName.RawData, leaf.IssuerName.RawData);
        var reader = new AsnReader(leaf.RawData, AsnEncodingRules.DER).ReadSequence();
        var tbs = reader.ReadEncodedValue().ToArray();
        reader.ReadSequence(); // signature algorithm
        var signature = reader.ReadBitString(out _);
        using var key = issuer.GetECDsaPublicKey()!;
        Assert.True(key.VerifyData(tbs, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), "leaf signature does not verify with the CA key");
    }

    /// <summary>The payload of a dstack extension (the inner OCTET STRING), or null.</summary>
    public static byte[]? DstackExtension(X509Certificate2 certificate, string oid)
    {
        var extension = certificate.Extensions.Cast<X509Extension>().FirstOrDefault(e => e.Oid?.Value == oid);
        return extension is null ? null : new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadOctetString();
    }
}
