using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.Quotes;

namespace Dstack.Kms.Authentication;

/// <summary>Reads the 16-byte PPID (OID 1.2.840.113741.1.13.1.1) from the PCK leaf certificate a quote carries.</summary>
internal static class PckPpid
{
    private const string PpidOid = PckExtension.Oid + ".1";
    private const int PpidLength = 16;

    /// <summary>The PPID, or null with a reason when the PCK certificate or its extension cannot be read.</summary>
    public static byte[]? TryRead(TdxQuote quote, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(quote);
        problem = null;
        try
        {
            using var leaf = X509Certificate2.CreateFromPem(quote.Signature.PckCertChainPem);
            var extension = leaf.Extensions[PckExtension.Oid];
            if (extension is null)
            {
                problem = "PCK certificate has no SGX extension";
                return null;
            }

            var outer = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (outer.HasData)
            {
                var entry = outer.ReadSequence();
                if (entry.ReadObjectIdentifier() != PpidOid)
                {
                    continue;
                }

                var ppid = entry.ReadOctetString();
                if (ppid.Length == PpidLength)
                {
                    return ppid;
                }

                problem = $"PCK certificate PPID has {ppid.Length} bytes, expected {PpidLength}";
                return null;
            }

            problem = "PCK certificate SGX extension carries no PPID";
            return null;
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException or ArgumentException)
        {
            problem = "PCK certificate cannot be read: " + ex.Message;
            return null;
        }
    }
}
