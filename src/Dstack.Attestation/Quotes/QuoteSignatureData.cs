using System.Text;

namespace Dstack.Attestation.Quotes;

/// <summary>The ECDSA signature section of a quote with QE report certification data (spec tdx-boot §2.3).</summary>
public sealed class QuoteSignatureData
{
    /// <summary>Certification data type: QE report certification data.</summary>
    public const int QeReportCertificationDataType = 6;

    /// <summary>Certification data type: concatenated PEM PCK certificate chain.</summary>
    public const int PckCertChainType = 5;

    private QuoteSignatureData(
        ReadOnlySpan<byte> signature,
        ReadOnlySpan<byte> attestationKey,
        QeReport qeReport,
        ReadOnlySpan<byte> qeReportSignature,
        ReadOnlySpan<byte> qeAuthData,
        ReadOnlySpan<byte> pckCertChain)
    {
        Signature = signature.ToArray();
        AttestationKey = attestationKey.ToArray();
        QeReport = qeReport;
        QeReportSignature = qeReportSignature.ToArray();
        QeAuthData = qeAuthData.ToArray();
        PckCertChain = pckCertChain.ToArray();
    }

    /// <summary>Quote signature by the attestation key over the signed region, raw <c>r‖s</c> (64 bytes).</summary>
    public ReadOnlyMemory<byte> Signature { get; }

    /// <summary>Attestation public key, raw <c>x‖y</c> (64 bytes, no 0x04 prefix).</summary>
    public ReadOnlyMemory<byte> AttestationKey { get; }

    /// <summary>The TD Quoting Enclave's report.</summary>
    public QeReport QeReport { get; }

    /// <summary>Signature over <see cref="QeReport"/> by the PCK leaf key, raw <c>r‖s</c> (64 bytes).</summary>
    public ReadOnlyMemory<byte> QeReportSignature { get; }

    /// <summary>QE authentication data, bound into the QE report's REPORTDATA.</summary>
    public ReadOnlyMemory<byte> QeAuthData { get; }

    /// <summary>The raw type-5 certification data: PEM certificates (PCK leaf first), often NUL-terminated.</summary>
    public ReadOnlyMemory<byte> PckCertChain { get; }

    /// <summary>The PCK chain as text, with trailing NUL bytes removed.</summary>
    public string PckCertChainPem => Encoding.ASCII.GetString(PckCertChain.Span.TrimEnd((byte)0));

    internal static QuoteSignatureData Read(ref QuoteReader reader)
    {
        var signature = reader.ReadBytes(64, "signature.quote_signature");
        var key = reader.ReadBytes(64, "signature.attestation_key");
        var typeAt = reader.Position;
        var certType = reader.ReadUInt16("signature.certification_data_type");
        if (certType != QeReportCertificationDataType)
        {
            throw new QuoteFormatException("signature.certification_data_type", typeAt, $"unsupported certification data type {certType} (expected 6, QE report)");
        }

        var certData = reader.ReadLengthPrefixed32("signature.certification_data");
        var inner = new QuoteReader(certData);
        var baseOffset = reader.Position - certData.Length;
        try
        {
            var qeReport = QeReport.Create(inner.ReadBytes(QeReport.Size, "qe_report"));
            var qeSignature = inner.ReadBytes(64, "qe_report_signature");
            var authAt = inner.Position;
            var authSize = inner.ReadUInt16("qe_auth_data size");
            if (authSize > inner.Remaining)
            {
                throw new QuoteFormatException("qe_auth_data", authAt, $"declared size {authSize} exceeds the {inner.Remaining} bytes left");
            }

            var auth = inner.ReadBytes(authSize, "qe_auth_data");
            var innerTypeAt = inner.Position;
            var innerType = inner.ReadUInt16("pck_cert_chain type");
            if (innerType != PckCertChainType)
            {
                throw new QuoteFormatException("pck_cert_chain type", innerTypeAt, $"unsupported inner certification data type {innerType} (expected 5, PEM PCK chain)");
            }

            var chain = inner.ReadLengthPrefixed32("pck_cert_chain");
            return new QuoteSignatureData(signature, key, qeReport, qeSignature, auth, chain);
        }
        catch (QuoteFormatException e)
        {
            // re-anchor offsets from the certification data to the whole quote
            throw new QuoteFormatException("signature.certification_data." + e.Field, baseOffset + e.Offset, StripLocation(e.Message));
        }
    }

    private static string StripLocation(string message)
    {
        var at = message.LastIndexOf(" (field '", StringComparison.Ordinal);
        return at < 0 ? message : message[..at];
    }
}
