using Dstack.Attestation.Formats;
using Dstack.Attestation.Quotes;

namespace Dstack.Crypto.RaTls;

/// <summary>
/// The TDX quote an RA-TLS certificate carries (its <c>.1.8</c> attestation, else the legacy <c>.1.1</c> quote) and whether
/// the quote's REPORTDATA binds the certificate's public key (<c>SHA-512("ratls-cert:" ‖ SPKI)</c>). This only reads and
/// compares: the quote's DCAP signature is checked separately by the verifier.
/// </summary>
public sealed class RaTlsQuoteBinding
{
    private RaTlsQuoteBinding(TdxQuote? quote, VersionedAttestation? attestation, bool isBound, string? problem)
    {
        Quote = quote;
        Attestation = attestation;
        IsBound = isBound;
        Problem = problem;
    }

    /// <summary>The parsed quote, when the certificate carries a readable one.</summary>
    public TdxQuote? Quote { get; }

    /// <summary>The decoded attestation of the <c>.1.8</c> extension, when present.</summary>
    public VersionedAttestation? Attestation { get; }

    /// <summary>True when the quote's report data equals the value expected for the certificate's key.</summary>
    public bool IsBound { get; }

    /// <summary>Why the binding does not hold (missing or malformed quote, report-data mismatch); null when bound.</summary>
    public string? Problem { get; }

    /// <summary>Extracts the quote of <paramref name="certificate"/> and compares its report data with the key binding.</summary>
    public static RaTlsQuoteBinding Check(RaTlsCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        VersionedAttestation? attestation = null;
        byte[] quoteBytes;
        try
        {
            if (certificate.Attestation is { } encoded)
            {
                attestation = AttestationCodec.Decode(encoded);
                quoteBytes = attestation.Quote;
            }
            else if (certificate.LegacyQuote is { } legacy)
            {
                quoteBytes = legacy.ToArray();
            }
            else
            {
                return new RaTlsQuoteBinding(null, null, false, "certificate carries no attestation (.1.8) and no quote (.1.1) extension");
            }
        }
        catch (FormatException e)
        {
            return new RaTlsQuoteBinding(null, null, false, "attestation extension is malformed: " + e.Message);
        }

        if (!TdxQuote.TryParse(quoteBytes, out var quote, out var error))
        {
            return new RaTlsQuoteBinding(null, attestation, false, "quote in certificate is malformed: " + error.Message);
        }

        return certificate.IsBoundTo(quote.ReportData.Span)
            ? new RaTlsQuoteBinding(quote, attestation, true, null)
            : new RaTlsQuoteBinding(quote, attestation, false, "quote report data does not bind the certificate's public key (expected SHA-512(\"ratls-cert:\" ‖ SubjectPublicKeyInfo))");
    }
}
