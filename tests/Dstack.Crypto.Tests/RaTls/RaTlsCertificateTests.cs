using Dstack.Tests;
using System.Formats.Asn1;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Crypto.Encodings;
using Dstack.Crypto.Keys;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.ReportData;
using Dstack.Crypto.Secp256k1;
using static Dstack.Crypto.Tests.TestVectors;

namespace Dstack.Crypto.Tests.RaTls;

public sealed class RaTlsCertificateTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly X509Certificate2 _ca = X509Certificate2.CreateFromPem(TestVectors.AppKeys.Str("ca_cert"));
    private readonly ECDsa _caKey = P256KeyEncoding.CreateECDsa(
        P256KeyEncoding.ReadPrivateKeyPem(TestVectors.AppKeys.GetProperty("key_provider").GetProperty("None").Str("key")));

    private readonly RaTlsCertificateBuilder _builder = new(new FixedTimeProvider(Now));

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
    }

    [Fact]
    public void DeriveKeyLeaf_HasTheDstackProfile()
    {
        var scalar = new AppKeyService(SimulatorK256Key, SimulatorK256Signature, LibSecp256k1.Instance).DeriveP256Key("/");
        var spki = P256KeyEncoding.SubjectPublicKeyInfoOf(scalar);
        var attestation = new byte[] { 0x00, 0x01, 0x02 };
        using var cert = _builder.Issue(spki, new RaTlsCertificateOptions { Subject = "/", Attestation = attestation }, _ca.SubjectName, _caKey);

        Assert.Equal(3, cert.Version);
        Assert.Equal("CN=/", cert.Subject);
        Assert.Equal(_ca.SubjectName.RawData, cert.IssuerName.RawData);
        Assert.Equal(new DateTime(1975, 1, 1, 0, 0, 0, DateTimeKind.Utc), cert.NotBefore.ToUniversalTime());
        Assert.Equal((Now + TimeSpan.FromDays(3650)).UtcDateTime, cert.NotAfter.ToUniversalTime());
        Assert.Equal("1.2.840.10045.4.3.2", cert.SignatureAlgorithm.Value);

        var expectedSerial = SHA256.HashData(P256KeyEncoding.GetPublicPoint(scalar)).AsSpan(0, 20).ToArray();
        expectedSerial[0] &= 0x7f;
        Assert.Equal(Convert.ToHexString(expectedSerial).TrimStart('0'), cert.SerialNumber.TrimStart('0'));

        // KeyUsage (critical, digitalSignature), special usage app:custom, attestation; nothing else
        Assert.Equal(["2.5.29.15", RaTlsOids.SpecialUsage, RaTlsOids.Attestation], cert.Extensions.Select(e => e.Oid!.Value!));
        var keyUsage = Assert.IsType<X509KeyUsageExtension>(cert.Extensions[0]);
        Assert.True(keyUsage.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, keyUsage.KeyUsages);
        Assert.All(cert.Extensions.Skip(1), e => Assert.False(e.Critical));
        Assert.Equal("0403000102", Convert.ToHexStringLower(cert.Extensions[RaTlsOids.Attestation]!.RawData));

        var parsed = RaTlsCertificate.Parse(cert);
        Assert.Equal(spki, parsed.SubjectPublicKeyInfo.ToArray());
        Assert.Equal("app:custom", parsed.SpecialUsage);
        Assert.Equal(attestation, parsed.Attestation!.Value.ToArray());
        Assert.Null(parsed.AppId);
        Assert.Null(parsed.AppInfo);
        Assert.Null(parsed.LegacyQuote);

        // the DeriveKey("/") key's RA-TLS report data (guest-agent-api §9)
        var reportData = Hex("2bb982f467442c4d6ea3b1e3ccf09decc3e6f42b3f08cc9e749203a7cb7a20f15264c9d3ec45faaf81afb7a8bf28f3cff6adc0a8bf253718ce3055ff2d5bf6d6");
        Assert.Equal(reportData, parsed.ExpectedReportData.ToArray());
        Assert.True(parsed.IsBoundTo(reportData));
        reportData[63] ^= 1;
        Assert.False(parsed.IsBoundTo(reportData));
        Assert.False(parsed.IsBoundTo(reportData.AsSpan(0, 32)));

        Assert.True(ChainsTo(cert, _ca));
    }

    [Fact]
    public void KmsSignedLeaf_HasAllExtensionsInRcgenOrder()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var appId = Hex(Root.GetProperty("app_root").Str("app_id"));
        var options = new RaTlsCertificateOptions
        {
            Subject = "app.example.com",
            OrganizationName = "Org",
            AltNames = ["app.example.com", "10.0.0.1", "::1"],
            UsageServerAuth = true,
            UsageClientAuth = true,
            NotBefore = Now,
            NotAfter = new DateTimeOffset(2060, 1, 1, 0, 0, 0, TimeSpan.Zero),
            AppId = appId,
            AppInfo = new byte[] { 0x99 },
            Attestation = new byte[] { 0x00 },
        };
        using var cert = _builder.Issue(key.ExportSubjectPublicKeyInfo(), options, _ca.SubjectName, _caKey);

        Assert.Equal(
            ["2.5.29.17", "2.5.29.15", "2.5.29.37", RaTlsOids.AppId, RaTlsOids.AppInfo, RaTlsOids.SpecialUsage, RaTlsOids.Attestation],
            cert.Extensions.Select(e => e.Oid!.Value!));
        var san = Assert.IsType<X509SubjectAlternativeNameExtension>(cert.Extensions[0]);
        Assert.Equal(["app.example.com"], san.EnumerateDnsNames());
        Assert.Equal(["10.0.0.1", "::1"], san.EnumerateIPAddresses().Select(a => a.ToString()));
        var eku = Assert.IsType<X509EnhancedKeyUsageExtension>(cert.Extensions[2]);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value!));
        Assert.Equal(new DateTime(2060, 1, 1, 0, 0, 0, DateTimeKind.Utc), cert.NotAfter.ToUniversalTime());

        var parsed = RaTlsCertificate.Parse(cert);
        Assert.Equal(appId, parsed.AppId!.Value.ToArray());
        Assert.Equal(new byte[] { 0x99 }, parsed.AppInfo!.Value.ToArray());
        Assert.Equal(QuoteReportData.ForRaTlsCertificate(key.ExportSubjectPublicKeyInfo()), parsed.ExpectedReportData.ToArray());
    }

    [Fact]
    public void Issue_RejectsBadInputs()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();
        Assert.Throws<DstackCryptoException>(() => _builder.Issue(spki, new RaTlsCertificateOptions { AltNames = ["bücher.example"] }, _ca.SubjectName, _caKey));
        Assert.Throws<DstackCryptoException>(() => _builder.Issue(spki, new RaTlsCertificateOptions { NotBefore = Now, NotAfter = Now }, _ca.SubjectName, _caKey));
        using var rsa = RSA.Create(2048);
        Assert.Throws<DstackCryptoException>(() => _builder.Issue(rsa.ExportSubjectPublicKeyInfo(), new RaTlsCertificateOptions(), _ca.SubjectName, _caKey));
    }

    [Fact]
    public void EmptySubject_StillHasOneCommonName()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = _builder.Issue(key.ExportSubjectPublicKeyInfo(), new RaTlsCertificateOptions(), _ca.SubjectName, _caKey);
        var reader = new AsnReader(cert.SubjectName.RawData, AsnEncodingRules.DER).ReadSequence();
        var rdn = reader.ReadSetOf().ReadSequence();
        Assert.Equal("2.5.4.3", rdn.ReadObjectIdentifier());
        Assert.Equal("", rdn.ReadCharacterString(UniversalTagNumber.UTF8String));
        Assert.False(reader.HasData);
    }

    [Fact]
    public void AppCa_IsAPathLenZeroCaSignedByRoot_AndIssuesLeaves()
    {
        using var appCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caOptions = new RaTlsCertificateOptions
        {
            Subject = "Dstack App CA",
            OrganizationName = "Dstack",
            IsCertificateAuthority = true,
            PathLength = 0,
            SpecialUsage = "app:ca",
            AppId = new byte[20],
        };
        using var appCa = _builder.Issue(appCaKey.ExportSubjectPublicKeyInfo(), caOptions, _ca.SubjectName, _caKey);
        Assert.Equal("CN=Dstack App CA, O=Dstack", appCa.Subject);
        var constraints = Assert.Single(appCa.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.HasPathLengthConstraint);
        Assert.Equal(0, constraints.PathLengthConstraint);
        Assert.True(constraints.Critical);
        var usage = Assert.Single(appCa.Extensions.OfType<X509KeyUsageExtension>());
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, usage.KeyUsages);
        Assert.Single(appCa.Extensions.OfType<X509SubjectKeyIdentifierExtension>());
        Assert.Equal("app:ca", RaTlsCertificate.Parse(appCa).SpecialUsage);

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = _builder.Issue(leafKey.ExportSubjectPublicKeyInfo(), new RaTlsCertificateOptions { Subject = "x", NotAfter = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero) }, appCa.SubjectName, appCaKey);
        Assert.True(ChainsTo(leaf, _ca, appCa));
    }

    [Fact]
    public void SelfSigned_RootCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = _builder.IssueSelfSigned(key, new RaTlsCertificateOptions
        {
            Subject = "Dstack KMS CA", OrganizationName = "Dstack", IsCertificateAuthority = true, PathLength = 1, SpecialUsage = null,
        });
        Assert.Equal(root.Subject, root.Issuer);

        // same DN bytes as the fixture's rcgen-made "Dstack KMS CA"
        using var fixture = X509Certificate2.CreateFromPem(TestVectors.AppKeys.Str("ca_cert"));
        Assert.Equal(fixture.SubjectName.RawData, root.SubjectName.RawData);
        Assert.Equal(1, Assert.Single(root.Extensions.OfType<X509BasicConstraintsExtension>()).PathLengthConstraint);
        Assert.Null(RaTlsCertificate.Parse(root).SpecialUsage);
        Assert.True(ChainsTo(root, root));
    }

    [Fact]
    public void SimulatorCaFixture_HasNoDstackExtensions()
    {
        var parsed = RaTlsCertificate.Parse(_ca);
        Assert.Null(parsed.Attestation);
        Assert.Null(parsed.SpecialUsage);
        Assert.Equal(91, parsed.SubjectPublicKeyInfo.Length);
    }

    [Fact]
    public void LegacyExtensions_AreReadAndEventLogDecompressed()
    {
        var json = "[{\"imr\":3,\"event\":\"app-id\"}]"u8.ToArray();
        using var compressed = new MemoryStream();
        compressed.Write("ELGZv1"u8);
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(json);
        }

        using var cert = CertificateWithExtensions(
            new X509Extension(RaTlsOids.LegacyQuote, RaTlsCertificateBuilder.WrapExtensionValue([4, 0, 2]), false),
            new X509Extension(RaTlsOids.LegacyEventLog, RaTlsCertificateBuilder.WrapExtensionValue(compressed.ToArray()), false));
        var parsed = RaTlsCertificate.Parse(cert);
        Assert.Equal(new byte[] { 4, 0, 2 }, parsed.LegacyQuote!.Value.ToArray());
        Assert.Equal(json, parsed.LegacyEventLog!.Value.ToArray());
        Assert.Null(parsed.Attestation);
    }

    [Fact]
    public void OversizedOrMalformedExtensions_AreRejected()
    {
        using var tooBig = CertificateWithExtensions(
            new X509Extension(RaTlsOids.LegacyEventLog, RaTlsCertificateBuilder.WrapExtensionValue(new byte[16 * 1024 + 1]), false));
        Assert.Throws<DstackCryptoException>(() => RaTlsCertificate.Parse(tooBig));
        using var notWrapped = CertificateWithExtensions(new X509Extension(RaTlsOids.Attestation, [0x00, 0x01], false));
        Assert.Throws<DstackCryptoException>(() => RaTlsCertificate.Parse(notWrapped));
    }

    private static X509Certificate2 CertificateWithExtensions(params X509Extension[] extensions)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=legacy", key, HashAlgorithmName.SHA256);
        foreach (var extension in extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        return request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1));
    }

    private static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 root, params X509Certificate2[] intermediates)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = Now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(leaf);
    }
}
