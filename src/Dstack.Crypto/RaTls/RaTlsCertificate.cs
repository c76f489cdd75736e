using System.Formats.Asn1;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Crypto.ReportData;

namespace Dstack.Crypto.RaTls;

/// <summary>The dstack extensions of a certificate and the report data its key must be bound to.</summary>
public sealed class RaTlsCertificate
{
    /// <summary>Largest accepted decompressed legacy event log.</summary>
    public const int MaxEventLogLength = 16 * 1024;

    private static ReadOnlySpan<byte> EventLogGzipMagic => "ELGZv1"u8;

    private readonly byte[] _expectedReportData;

    private RaTlsCertificate(X509Certificate2 certificate)
    {
        SubjectPublicKeyInfo = certificate.PublicKey.ExportSubjectPublicKeyInfo();
        _expectedReportData = QuoteReportData.ForRaTlsCertificate(SubjectPublicKeyInfo.Span);
        foreach (var extension in certificate.Extensions)
        {
            switch (extension.Oid?.Value)
            {
                case RaTlsOids.LegacyQuote:
                    LegacyQuote = Unwrap(extension);
                    break;
                case RaTlsOids.LegacyEventLog:
                    LegacyEventLog = DecodeEventLog(Unwrap(extension));
                    break;
                case RaTlsOids.AppId:
                    AppId = Unwrap(extension);
                    break;
                case RaTlsOids.SpecialUsage:
                    SpecialUsage = System.Text.Encoding.UTF8.GetString(Unwrap(extension));
                    break;
                case RaTlsOids.Attestation:
                    Attestation = Unwrap(extension);
                    break;
                case RaTlsOids.AppInfo:
                    AppInfo = Unwrap(extension);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>SPKI DER of the certificate key.</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo { get; }

    /// <summary><c>SHA-512("ratls-cert:" ‖ SPKI DER)</c>: what the attestation's report data must be.</summary>
    public ReadOnlyMemory<byte> ExpectedReportData => _expectedReportData;

    /// <summary>Attestation (<c>.1.8</c>), or null.</summary>
    public ReadOnlyMemory<byte>? Attestation { get; }

    /// <summary>Legacy quote (<c>.1.1</c>), or null.</summary>
    public ReadOnlyMemory<byte>? LegacyQuote { get; }

    /// <summary>Legacy event-log JSON (<c>.1.2</c>), decompressed, or null.</summary>
    public ReadOnlyMemory<byte>? LegacyEventLog { get; }

    /// <summary>App id (<c>.1.3</c>), or null.</summary>
    public ReadOnlyMemory<byte>? AppId { get; }

    /// <summary>Special usage (<c>.1.4</c>), or null.</summary>
    public string? SpecialUsage { get; }

    /// <summary>App info msgpack (<c>.1.9</c>), or null.</summary>
    public ReadOnlyMemory<byte>? AppInfo { get; }

    /// <summary>Reads the dstack extensions of a certificate.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The parsed view.</returns>
    /// <exception cref="DstackCryptoException">An extension is not a DER OCTET STRING or the event log is invalid.</exception>
    public static RaTlsCertificate Parse(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new RaTlsCertificate(certificate);
    }

    /// <summary>True when <paramref name="reportData"/> is exactly <see cref="ExpectedReportData"/> (constant time).</summary>
    /// <param name="reportData">The 64-byte REPORTDATA of the attestation.</param>
    /// <returns>Whether the attestation binds this certificate's key.</returns>
    public bool IsBoundTo(ReadOnlySpan<byte> reportData) =>
        reportData.Length == QuoteReportData.Length && CryptographicOperations.FixedTimeEquals(reportData, _expectedReportData);

    private static byte[] Unwrap(X509Extension extension)
    {
        try
        {
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var payload = reader.ReadOctetString();
            reader.ThrowIfNotEmpty();
            return payload;
        }
        catch (AsnContentException ex)
        {
            throw new DstackCryptoException($"Malformed certificate extension {extension.Oid?.Value}", ex);
        }
    }

    private static byte[] DecodeEventLog(byte[] payload)
    {
        if (!payload.AsSpan().StartsWith(EventLogGzipMagic))
        {
            return payload.Length <= MaxEventLogLength ? payload : throw new DstackCryptoException("Event log is too large");
        }

        try
        {
            using var input = new MemoryStream(payload, EventLogGzipMagic.Length, payload.Length - EventLogGzipMagic.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            var buffer = new byte[MaxEventLogLength + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = gzip.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            return total <= MaxEventLogLength ? buffer.AsSpan(0, total).ToArray() : throw new DstackCryptoException("Event log is too large");
        }
        catch (InvalidDataException ex)
        {
            throw new DstackCryptoException("Event log is not valid gzip", ex);
        }
    }
}
