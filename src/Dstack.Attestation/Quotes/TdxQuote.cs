using System.Diagnostics.CodeAnalysis;

namespace Dstack.Attestation.Quotes;

/// <summary>
/// A parsed TDX DCAP quote, version 4 or 5 (spec tdx-boot §2). Parsing checks structure only; use
/// <see cref="Dcap.QuoteVerifier"/> to check signatures and the certificate chain.
/// </summary>
public sealed class TdxQuote
{
    /// <summary>Largest accepted input, trailing padding included.</summary>
    public const int MaxQuoteSize = 64 * 1024;

    private const int BodyDescriptorSize = 6;

    private readonly byte[] _raw;

    private TdxQuote(byte[] raw, QuoteHeader header, QuoteBodyType bodyType, TdReportBody body, int signedLength, QuoteSignatureData signature, int length)
    {
        _raw = raw;
        Header = header;
        BodyType = bodyType;
        Body = body;
        SignedLength = signedLength;
        Signature = signature;
        Length = length;
    }

    /// <summary>The quote header.</summary>
    public QuoteHeader Header { get; }

    /// <summary>Quote version (4 or 5).</summary>
    public int Version => Header.Version;

    /// <summary>The body type (v4 is always <see cref="QuoteBodyType.TdReport10"/>; v5 takes it from the body descriptor).</summary>
    public QuoteBodyType BodyType { get; }

    /// <summary>The TD report body.</summary>
    public TdReportBody Body { get; }

    /// <summary>The signature section (quote signature, attestation key, QE report, PCK chain).</summary>
    public QuoteSignatureData Signature { get; }

    /// <summary>Length of the signed region: header ‖ [v5 body descriptor] ‖ body.</summary>
    public int SignedLength { get; }

    /// <summary>The bytes covered by the quote signature.</summary>
    public ReadOnlyMemory<byte> SignedRegion => _raw.AsMemory(0, SignedLength);

    /// <summary>Length of the quote structure (signed region + 4 + signature data length), without trailing padding.</summary>
    public int Length { get; }

    /// <summary>The input bytes as given, trailing padding included.</summary>
    public ReadOnlyMemory<byte> Raw => _raw;

    /// <summary>Number of bytes after the quote structure (zero padding in real quotes).</summary>
    public int TrailingLength => _raw.Length - Length;

    /// <summary>MRTD.</summary>
    public ReadOnlyMemory<byte> MrTd => Body.MrTd;

    /// <summary>RTMR0–RTMR3.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Rtmrs => Body.Rtmrs;

    /// <summary>MRCONFIGID.</summary>
    public ReadOnlyMemory<byte> MrConfigId => Body.MrConfigId;

    /// <summary>MROWNER.</summary>
    public ReadOnlyMemory<byte> MrOwner => Body.MrOwner;

    /// <summary>MROWNERCONFIG.</summary>
    public ReadOnlyMemory<byte> MrOwnerConfig => Body.MrOwnerConfig;

    /// <summary>TDATTRIBUTES.</summary>
    public ReadOnlyMemory<byte> TdAttributes => Body.TdAttributes;

    /// <summary>XFAM.</summary>
    public ReadOnlyMemory<byte> Xfam => Body.Xfam;

    /// <summary>REPORTDATA (64 bytes).</summary>
    public ReadOnlyMemory<byte> ReportData => Body.ReportData;

    /// <summary>Whether the TD DEBUG attribute is set.</summary>
    public bool IsDebug => Body.IsDebug;

    /// <summary>Parses a quote; trailing bytes after the signed structure are allowed.</summary>
    /// <exception cref="QuoteFormatException">The input is malformed, truncated or larger than <see cref="MaxQuoteSize"/>.</exception>
    public static TdxQuote Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxQuoteSize)
        {
            throw new QuoteFormatException("quote", 0, $"quote of {data.Length} bytes exceeds the {MaxQuoteSize}-byte limit");
        }

        var reader = new QuoteReader(data);
        var header = QuoteHeader.Read(ref reader);
        var bodyType = QuoteBodyType.TdReport10;
        var bodySize = TdReportBody.Td10Size;
        if (header.Version == 5)
        {
            var at = reader.Position;
            var type = reader.ReadUInt16("body_descriptor.type");
            var size = reader.ReadUInt32("body_descriptor.size");
            (bodyType, bodySize) = type switch
            {
                2 => (QuoteBodyType.TdReport10, TdReportBody.Td10Size),
                3 => (QuoteBodyType.TdReport15, TdReportBody.Td15Size),
                _ => throw new QuoteFormatException("body_descriptor.type", at, $"unsupported body type {type} (expected 2 or 3, TD report)"),
            };
            if (size != (uint)bodySize)
            {
                throw new QuoteFormatException("body_descriptor.size", at + 2, $"body size {size} does not match body type {type} ({bodySize} bytes)");
            }
        }

        var body = TdReportBody.Create(reader.ReadBytes(bodySize, "body"));
        var signedLength = reader.Position;
        _ = reader.ReadLengthPrefixed32("signature_data");

        // the signature section must fit inside the declared signature data length
        var sigReader = new QuoteReader(data[..reader.Position], signedLength + 4);
        var signature = QuoteSignatureData.Read(ref sigReader);
        return new TdxQuote(data.ToArray(), header, bodyType, body, signedLength, signature, reader.Position);
    }

    /// <summary>Parses a quote without throwing; <paramref name="error"/> says what was wrong.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out TdxQuote? quote, [NotNullWhen(false)] out QuoteFormatException? error)
    {
        try
        {
            quote = Parse(data);
            error = null;
            return true;
        }
        catch (QuoteFormatException e)
        {
            quote = null;
            error = e;
            return false;
        }
    }
}
