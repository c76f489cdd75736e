using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Dstack.Attestation.Quotes;

namespace Dstack.Attestation.Simulation;

/// <summary>
/// A simulated TD Quoting Enclave (spec tdx-boot §6.1): turns a TDREPORT into a v4 DCAP quote signed by the enclave's
/// attestation key, with a QE report (binding that key) signed by the mock PCK key and the mock PCK chain, verifiable
/// under <see cref="MockDcapPki.TrustRoot"/>. Like a real QE, the attestation key and its certification data are made
/// once per enclave, so each quote costs one P-256 signature. Safe for concurrent use.
/// </summary>
public sealed class MockQuotingEnclave : IQuotingEnclave, IDisposable
{
    /// <summary>Size of the TDREPORT this enclave accepts.</summary>
    public const int TdReportSize = 1024;

    internal const string QeMrSignerHex = "4444444444444444444444444444444444444444444444444444444444444444";
    internal const int QeIsvProdId = 1;
    internal const int QeIsvSvn = 1;

    private const int QeAuthDataSize = 32;

    private readonly ECDsa _attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly Lock _signing = new();

    /// <summary>The attestation public key (X ‖ Y) followed by the QE certification data; the same in every quote.</summary>
    private readonly byte[] _signatureTail;

    /// <summary>Creates a quoting enclave that certifies its quotes with <paramref name="pki"/>.</summary>
    public MockQuotingEnclave(MockDcapPki pki)
    {
        ArgumentNullException.ThrowIfNull(pki);
        _signatureTail = CertifyAttestationKey(pki, _attestationKey);
    }

    /// <inheritdoc/>
    public byte[] CreateQuote(ReadOnlySpan<byte> tdReport)
    {
        if (tdReport.Length != TdReportSize)
        {
            throw new ArgumentException($"a TDREPORT is exactly {TdReportSize} bytes, got {tdReport.Length}", nameof(tdReport));
        }

        const int SignedSize = QuoteHeader.Size + TdReportBody.Td10Size;
        var quote = new byte[SignedSize + 4 + 64 + _signatureTail.Length];
        var signed = quote.AsSpan(0, SignedSize);
        WriteHeader(signed);
        WriteBody(tdReport, signed[QuoteHeader.Size..]);
        BinaryPrimitives.WriteUInt32LittleEndian(quote.AsSpan(SignedSize), checked((uint)(64 + _signatureTail.Length)));
        lock (_signing)
        {
            _attestationKey.SignData(signed, quote.AsSpan(SignedSize + 4, 64), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        _signatureTail.CopyTo(quote.AsSpan(SignedSize + 4 + 64));
        return quote;
    }

    /// <inheritdoc/>
    public void Dispose() => _attestationKey.Dispose();

    /// <summary>
    /// The part of the signature data after the quote signature: attestation key, then the certification data of type
    /// 6 (QE report, its PCK signature, QE auth data, and the PCK chain as type-5 certification data).
    /// </summary>
    private static byte[] CertifyAttestationKey(MockDcapPki pki, ECDsa attestationKey)
    {
        var q = attestationKey.ExportParameters(false).Q;
        var ak = new byte[64];
        q.X!.CopyTo(ak, 0);
        q.Y!.CopyTo(ak, 32);

        var authData = new byte[QeAuthDataSize];
        var qeReport = new byte[QeReport.Size];
        Convert.FromHexString(QeMrSignerHex).CopyTo(qeReport, 128);
        BinaryPrimitives.WriteUInt16LittleEndian(qeReport.AsSpan(256), QeIsvProdId);
        BinaryPrimitives.WriteUInt16LittleEndian(qeReport.AsSpan(258), QeIsvSvn);
        SHA256.HashData([.. ak, .. authData]).CopyTo(qeReport, 320);
        var qeReportSignature = pki.SignWithPckKey(qeReport);

        var pem = Encoding.ASCII.GetBytes(pki.PckChainPem + "\0");
        using var certData = new MemoryStream();
        certData.Write(qeReport);
        certData.Write(qeReportSignature);
        WriteUInt16(certData, QeAuthDataSize);
        certData.Write(authData);
        WriteUInt16(certData, QuoteSignatureData.PckCertChainType);
        WriteUInt32(certData, pem.Length);
        certData.Write(pem);

        using var tail = new MemoryStream();
        tail.Write(ak);
        WriteUInt16(tail, QuoteSignatureData.QeReportCertificationDataType);
        WriteUInt32(tail, (int)certData.Length);
        certData.Position = 0;
        certData.CopyTo(tail);
        return tail.ToArray();
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
