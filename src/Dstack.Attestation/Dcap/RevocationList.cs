using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Dstack.Attestation.Dcap;

/// <summary>A parsed X.509 CRL (RFC 5280 CertificateList): issuer, validity and revoked serial numbers.</summary>
internal sealed class RevocationList
{
    private const int MaxSize = 1024 * 1024;

    private readonly HashSet<BigInteger> _revoked;

    private RevocationList(byte[] der, byte[] issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, HashSet<BigInteger> revoked)
    {
        Der = der;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revoked = revoked;
    }

    public byte[] Der { get; }

    public byte[] Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    /// <summary>Parses a CRL given as DER or PEM (<c>X509 CRL</c>).</summary>
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
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                _ = tbs.ReadInteger();
            }

            _ = tbs.ReadSequence();
            var issuer = tbs.ReadEncodedValue().ToArray();
            var thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = null;
            if (tbs.HasData && IsTime(tbs.PeekTag()))
            {
                nextUpdate = ReadTime(tbs);
            }

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

            return new RevocationList(der, issuer, thisUpdate, nextUpdate, revoked);
        }
        catch (AsnContentException e)
        {
            throw new FormatException($"{what}: not a valid DER CRL: {e.Message}", e);
        }
    }

    public bool IsRevoked(ReadOnlySpan<byte> serialNumberBigEndian) =>
        _revoked.Contains(new BigInteger(serialNumberBigEndian, isUnsigned: false, isBigEndian: true));

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
