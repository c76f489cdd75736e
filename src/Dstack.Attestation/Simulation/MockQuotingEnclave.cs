using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Dstack.Attestation.Quotes;

namespace Dstack.Attestation.Simulation;

/// <summary>
/// A simulated TD Quoting Enclave (spec tdx-boot §6.1): turns a TDREPORT into a v4 DCAP quote with a fresh attestation key,
/// a QE report signed by the mock PCK key and the mock PCK chain, verifiable under <see cref="MockDcapPki.TrustRoot"/>.
/// </summary>
public sealed class MockQuotingEnclave : IQuotingEnclave
{
    /// <summary>Size of the TDREPORT this enclave accepts.</summary>
    public const int TdReportSize = 1024;

    internal const string QeMrSignerHex = "4444444444444444444444444444444444444444444444444444444444444444";
    internal const int QeIsvProdId = 1;
    internal const int QeIsvSvn = 1;

    private const int QeAuthDataSize = 32;

    private readonly MockDcapPki _pki;

    /// <summary>Creates a quoting enclave that certifies its quotes with <paramref name="pki"/>.</summary>
    public MockQuotingEnclave(MockDcapPki pki)
    {
        ArgumentNullException.ThrowIfNull(pki);
        _pki = pki;
    }

    /// <inheritdoc/>
    public byte[] CreateQuote(ReadOnlySpan<byte> tdReport)
    {
        if (tdReport.Length != TdReportSize)
        {
            throw new ArgumentException($"a TDREPORT is exactly {TdReportSize} bytes, got {tdReport.Length}", nameof(tdReport));
        }

        var signed = new byte[QuoteHeader.Size + TdReportBody.Td10Size];
        WriteHeader(signed);
        WriteBody(tdReport, signed.AsSpan(QuoteHeader.Size));

        using var attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = attestationKey.ExportParameters(false).Q;
        var ak = new byte[64];
        q.X!.CopyTo(ak, 0);
        q.Y!.CopyTo(ak, 32);
        var quoteSignature = attestationKey.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        var authData = new byte[QeAuthDataSize];
        var qeReport = new byte[QeReport.Size];
        Convert.FromHexString(QeMrSignerHex).CopyTo(qeReport, 128);
        BinaryPrimitives.WriteUInt16LittleEndian(qeReport.AsSpan(256), QeIsvProdId);
        BinaryPrimitives.WriteUInt16LittleEndian(qeReport.AsSpan(258), QeIsvSvn);
        SHA256.HashData([.. ak, .. authData]).CopyTo(qeReport, 320);
        var qeReportSignature = _pki.SignWithPckKey(qeReport);

        var pem = Encoding.ASCII.GetBytes(_pki.PckChainPem + "\0");
        using var certData = new MemoryStream();
        certData.Write(qeReport);
        certData.Write(qeReportSignature);
        WriteUInt16(certData, QeAuthDataSize);
        certData.Write(authData);
        WriteUInt16(certData, QuoteSignatureData.PckCertChainType);
        WriteUInt32(certData, pem.Length);
        certData.Write(pem);

        using var quote = new MemoryStream();
        quote.Write(signed);
        WriteUInt32(quote, 64 + 64 + 2 + 4 + (int)certData.Length);
        quote.Write(quoteSignature);
        quote.Write(ak);
        WriteUInt16(quote, QuoteSignatureData.QeReportCertificationDataType);
        WriteUInt32(quote, (int)certData.Length);
        certData.Position = 0;
        certData.CopyTo(quote);
        return quote.ToArray();
    }

    private static void WriteHeader(Span<byte> header)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(header, 4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], QuoteHeader.EcdsaP256KeyType);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], QuoteHeader.TdxTeeType);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], 1); // qe_svn
        QuoteHeader.IntelQeVendorId.CopyTo(header[12..]);
    }

    /// <summary>Maps TDREPORT fields (spec §1.6) onto the TD 1.0 quote body (spec §2.2).</summary>
    private static void WriteBody(ReadOnlySpan<byte> report, Span<byte> body)
    {
        report.Slice(264, 120).CopyTo(body);          // TEE_TCB_SVN, MRSEAM, MRSIGNERSEAM, SEAMATTRIBUTES
        report.Slice(512, 400).CopyTo(body[120..]);   // TDATTRIBUTES, XFAM, MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG, RTMR0–3
        report.Slice(128, 64).CopyTo(body[520..]);    // REPORTDATA
    }

    private static void WriteUInt16(Stream stream, int value)
    {
        Span<byte> buffer = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, checked((ushort)value));
        stream.Write(buffer);
    }

    private static void WriteUInt32(Stream stream, int value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, checked((uint)value));
        stream.Write(buffer);
    }
}
