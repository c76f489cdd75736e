using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Attestation.Quotes;

namespace Dstack.Attestation.Dcap;

/// <summary>The signatures inside a quote (tdx-boot §2.4 steps 3 and 6): the QE report by the PCK leaf, the quote by the attestation key.</summary>
internal static class QuoteSignatures
{
    /// <summary>Whether the QE report signature verifies with the P-256 key of <paramref name="pckLeaf"/>.</summary>
    public static bool QeReportVerifies(TdxQuote quote, X509Certificate2 pckLeaf)
    {
        using var key = pckLeaf.GetECDsaPublicKey();
        var signature = quote.Signature;
        return key is not null && key.KeySize == 256
            && key.VerifyData(signature.QeReport.Raw.Span, signature.QeReportSignature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Whether the quote signature over the signed region verifies with the attestation key (false when the key is not a P-256 point).</summary>
    public static bool QuoteVerifies(TdxQuote quote)
    {
        var key = quote.Signature.AttestationKey.Span;
        try
        {
            using var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = key[..32].ToArray(), Y = key[32..].ToArray() },
            });
            return ecdsa.VerifyData(quote.SignedRegion.Span, quote.Signature.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
