using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Dstack.Attestation.Dcap;

/// <summary>
/// A parsed X.509 v2 CRL (RFC 5280 CertificateList) under the rules of spec dcap-collateral §2: <c>nextUpdate</c> required,
/// no delta-CRL indicator, CRL extensions limited to CRL number (≤ 20 bytes), issuing distribution point and authority key id.
/// </summary>
internal sealed class RevocationList
{
    private const int MaxSize = 4 * 1024 * 1024;
    private const string CrlNumberOid = "2.5.29.20";
    private const string IssuingDistributionPointOid = "2.5.29.28";
    private const string AuthorityKeyIdentifierOid = "2.5.29.35";

    private readonly HashSet<BigInteger> _revoked;

    private RevocationList(byte[] der, byte[] issuer, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, byte[]? issuingDistributionPoint, HashSet<BigInteger> revoked)
    {
        Der = der;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        IssuingDistributionPoint = issuingDistributionPoint;
        _revoked = revoked;
    }

    /// <summary>The whole CRL (DER), as signed.</summary>
    public byte[] Der { get; }

    /// <summary>The issuer Name, DER.</summary>
    public byte[] Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    /// <summary>The CRL is usable while <c>now &lt; NextUpdate</c>.</summary>
    public DateTimeOffset NextUpdate { get; }

    /// <summary>The value of the issuing distribution point extension, when present.</summary>
    public byte[]? IssuingDistributionPoint { get; }

    /// <summary>Number of revoked serials.</summary>
    public int Count => _revoked.Count;

    /// <summary>Parses a CRL given as DER (or PEM <c>X509 CRL</c>).</summary>
    /// <exception cref="FormatException">Not a CRL this verifier accepts; the message says why.</exception>
    public static RevocationList Parse(ReadOnlyMemory<byte> data, string what)
    {
        if (data.Length > MaxSize)
        {
            throw new FormatException($"{what}: larger than {MaxSize} bytes");
        }

        var der = data.ToArray();
        if (der.Length > 0 && der[0] == (byte)'-')
        {
            var text = Encoding.ASCII.GetString(der);
            if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "X509 CRL")
            {
                throw new FormatException($"{what}: PEM does not contain an X509 CRL block");
            }

            der = Convert.FromBase64String(text[fields.Base64Data]);
        }

        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var list = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var tbs = list.ReadSequence();
            if (!tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer) || !tbs.TryReadInt32(out var version) || version != 1)
            {
                throw new FormatException($"{what}: not an X.509 v2 CRL");
            }

            _ = tbs.ReadSequence();
            var issuer = tbs.ReadEncodedValue().ToArray();
            var thisUpdate = ReadTime(tbs);
            if (!tbs.HasData || !IsTime(tbs.PeekTag()))
            {
                throw new FormatException($"{what}: has no nextUpdate");
            }

            var nextUpdate = ReadTime(tbs);
            var revoked = new HashSet<BigInteger>();
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(entry.ReadInteger());
                }
            }

            byte[]? idp = null;
            if (tbs.HasData)
            {
                var extensions = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
                while (extensions.HasData)
                {
                    var extension = extensions.ReadSequence();
                    var oid = extension.ReadObjectIdentifier();
                    if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                    {
                        _ = extension.ReadBoolean();
                    }

                    var value = extension.ReadOctetString();
                    switch (oid)
                    {
                        case CrlNumberOid:
                            var number = new AsnReader(value, AsnEncodingRules.DER).ReadIntegerBytes();
                            if (number.Length > 20)
                            {
                                throw new FormatException($"{what}: CRL number longer than 20 bytes");
                            }

                            break;
                        case IssuingDistributionPointOid:
                            idp = value;
                            break;
                        case AuthorityKeyIdentifierOid:
                            break;
                        default:
                            throw new FormatException($"{what}: unsupported CRL extension {oid}");
                    }
                }
            }

            tbs.ThrowIfNotEmpty();
            return new RevocationList(der, issuer, thisUpdate, nextUpdate, idp, revoked);
        }
        catch (AsnContentException e)
        {
            throw new FormatException($"{what}: not a valid DER CRL: {e.Message}", e);
        }
    }

    /// <summary>
    /// Whether this CRL's scope covers <paramref name="certificate"/>: always without an issuing distribution point; with one,
    /// its user/CA restriction must fit, it must not be limited to some reasons, indirect or for attribute certificates, and
    /// its distribution point name (if any) must be one of the certificate's CRL distribution points.
    /// </summary>
    public bool Covers(X509Certificate2 certificate, bool isCa)
    {
        if (IssuingDistributionPoint is null)
        {
            return true;
        }

        try
        {
            var idp = new AsnReader(IssuingDistributionPoint, AsnEncodingRules.DER).ReadSequence();
            ReadOnlyMemory<byte>? name = null;
            if (idp.HasData && idp.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                name = idp.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadEncodedValue();
            }

            bool userOnly = ReadFlag(idp, 1), caOnly = ReadFlag(idp, 2);
            if (idp.HasData || (userOnly && isCa) || (caOnly && !isCa))
            {
                return false; // onlySomeReasons, indirectCRL or onlyContainsAttributeCerts: not a full CRL for this certificate
            }

            return name is not { } expected || CertificateDistributionPoints(certificate).Any(dp => dp.Span.SequenceEqual(expected.Span));
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>Whether the serial (big-endian two's complement, as in the certificate) is listed.</summary>
    public bool IsRevoked(ReadOnlySpan<byte> serialNumberBigEndian) =>
        _revoked.Contains(new BigInteger(serialNumberBigEndian, isUnsigned: false, isBigEndian: true));

    private static bool ReadFlag(AsnReader reader, int tag)
    {
        var context = new Asn1Tag(TagClass.ContextSpecific, tag);
        return reader.HasData && reader.PeekTag().HasSameClassAndValue(context) && reader.ReadBoolean(context);
    }

    private static List<ReadOnlyMemory<byte>> CertificateDistributionPoints(X509Certificate2 certificate)
    {
        var names = new List<ReadOnlyMemory<byte>>();
        var extension = certificate.Extensions["2.5.29.31"];
        if (extension is null)
        {
            return names;
        }

        var points = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        while (points.HasData)
        {
            var point = points.ReadSequence();
            var tag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (point.HasData && point.PeekTag().HasSameClassAndValue(tag))
            {
                names.Add(point.ReadSequence(tag).ReadEncodedValue());
            }
        }

        return names;
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
