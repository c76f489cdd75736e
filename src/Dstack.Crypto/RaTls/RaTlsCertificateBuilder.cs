using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dstack.Crypto.RaTls;

/// <summary>
/// Issues dstack certificates: serial = SHA-256(public point)[..20] with the top bit cleared, ecdsa-with-SHA256,
/// extensions in rcgen's order (SAN, KeyUsage, EKU, then app id, app info, special usage, attestation), each
/// dstack extension value double-wrapped as a DER OCTET STRING.
/// </summary>
public sealed class RaTlsCertificateBuilder
{
    /// <summary>rcgen's default notBefore.</summary>
    public static readonly DateTimeOffset DefaultNotBefore = new(1975, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>rcgen's default lifetime.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(3650);

    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a builder.</summary>
    /// <param name="timeProvider">Clock for the default notAfter.</param>
    public RaTlsCertificateBuilder(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <summary>Issues a certificate for <paramref name="subjectPublicKeyInfo"/> signed by an issuer.</summary>
    /// <param name="subjectPublicKeyInfo">SPKI DER of the subject key (EC; P-256 in practice).</param>
    /// <param name="options">Certificate contents.</param>
    /// <param name="issuerName">Subject DN of the issuing CA certificate.</param>
    /// <param name="issuerKey">The issuer's P-256 key.</param>
    /// <returns>The certificate (public part only).</returns>
    public X509Certificate2 Issue(ReadOnlySpan<byte> subjectPublicKeyInfo, RaTlsCertificateOptions options, X500DistinguishedName issuerName, ECDsa issuerKey)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(issuerName);
        ArgumentNullException.ThrowIfNull(issuerKey);
        PublicKey publicKey;
        try
        {
            publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(subjectPublicKeyInfo, out var read);
            if (read != subjectPublicKeyInfo.Length || publicKey.Oid.Value != "1.2.840.10045.2.1")
            {
                throw new DstackCryptoException("The certificate key must be an EC SubjectPublicKeyInfo");
            }
        }
        catch (CryptographicException ex)
        {
            throw new DstackCryptoException("Invalid SubjectPublicKeyInfo", ex);
        }

        var request = new CertificateRequest(BuildSubject(options), publicKey, HashAlgorithmName.SHA256);
        AddExtensions(request, options, publicKey);
        var notBefore = options.NotBefore ?? DefaultNotBefore;
        var notAfter = options.NotAfter ?? _timeProvider.GetUtcNow() + DefaultLifetime;
        if (notBefore >= notAfter)
        {
            throw new DstackCryptoException("not_before must be earlier than not_after");
        }

        var generator = X509SignatureGenerator.CreateForECDsa(issuerKey);
        return request.Create(issuerName, generator, notBefore, notAfter, SerialNumber(publicKey));
    }

    /// <summary>Issues a self-signed certificate (root CA, temp CA, App Root Cert).</summary>
    /// <param name="key">The P-256 key, both subject and issuer.</param>
    /// <param name="options">Certificate contents.</param>
    /// <returns>The certificate (public part only).</returns>
    public X509Certificate2 IssueSelfSigned(ECDsa key, RaTlsCertificateOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        return Issue(key.ExportSubjectPublicKeyInfo(), options, BuildSubject(options), key);
    }

    /// <summary>Wraps a payload as the DER OCTET STRING that goes inside an extension's extnValue.</summary>
    /// <param name="payload">Extension payload.</param>
    /// <returns>DER bytes.</returns>
    public static byte[] WrapExtensionValue(ReadOnlySpan<byte> payload)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(payload);
        return writer.Encode();
    }

    internal static X500DistinguishedName BuildSubject(RaTlsCertificateOptions options)
    {
        // RDNs in rcgen's order (O before CN), each value a UTF8String; an empty CN is allowed.
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            if (options.OrganizationName is not null)
            {
                WriteAttribute(writer, "2.5.4.10", options.OrganizationName);
            }

            WriteAttribute(writer, "2.5.4.3", options.Subject);
        }

        return new X500DistinguishedName(writer.Encode());
    }

    private static void WriteAttribute(AsnWriter writer, string oid, string value)
    {
        using (writer.PushSetOf())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(oid);
                writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
            }
        }
    }

    private static void AddExtensions(CertificateRequest request, RaTlsCertificateOptions options, PublicKey publicKey)
    {
        if (options.AltNames.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in options.AltNames)
            {
                if (IPAddress.TryParse(name, out var address))
                {
                    san.AddIpAddress(address);
                }
                else if (name.Length > 0 && System.Text.Ascii.IsValid(name))
                {
                    san.AddDnsName(name);
                }
                else
                {
                    throw new DstackCryptoException("Subject alternative names must be IP addresses or ASCII DNS names");
                }
            }

            request.CertificateExtensions.Add(san.Build());
        }

        var usage = X509KeyUsageFlags.DigitalSignature;
        if (options.IsCertificateAuthority)
        {
            usage |= X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign;
        }

        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        if (options.UsageServerAuth || options.UsageClientAuth)
        {
            var purposes = new OidCollection();
            if (options.UsageServerAuth)
            {
                purposes.Add(new Oid("1.3.6.1.5.5.7.3.1"));
            }

            if (options.UsageClientAuth)
            {
                purposes.Add(new Oid("1.3.6.1.5.5.7.3.2"));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(purposes, critical: false));
        }

        if (options.IsCertificateAuthority)
        {
            var keyId = SHA256.HashData(publicKey.EncodedKeyValue.RawData).AsSpan(0, 20).ToArray();
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(keyId, critical: false));
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, options.PathLength, critical: true));
        }

        AddCustom(request, RaTlsOids.AppId, options.AppId);
        AddCustom(request, RaTlsOids.AppInfo, options.AppInfo);
        if (options.SpecialUsage is not null)
        {
            AddCustom(request, RaTlsOids.SpecialUsage, System.Text.Encoding.UTF8.GetBytes(options.SpecialUsage));
        }

        AddCustom(request, RaTlsOids.Attestation, options.Attestation);
    }

    private static void AddCustom(CertificateRequest request, string oid, ReadOnlyMemory<byte>? payload)
    {
        if (payload is { } value)
        {
            request.CertificateExtensions.Add(new X509Extension(new Oid(oid), WrapExtensionValue(value.Span), critical: false));
        }
    }

    private static byte[] SerialNumber(PublicKey publicKey)
    {
        var hash = SHA256.HashData(publicKey.EncodedKeyValue.RawData).AsSpan(0, 20);
        hash[0] &= 0x7f;

        // minimal positive DER INTEGER content, as rcgen writes it
        var start = hash.IndexOfAnyExcept((byte)0);
        if (start < 0)
        {
            return [0];
        }

        var trimmed = hash[start..];
        return (trimmed[0] & 0x80) != 0 ? [0, .. trimmed] : trimmed.ToArray();
    }
}
