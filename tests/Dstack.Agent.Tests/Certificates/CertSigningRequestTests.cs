using System.Security.Cryptography;
using Dstack.Attestation.Csr;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Tests;

namespace Dstack.Agent.Tests.Certificates;

/// <summary>The CSR V2 the agent sends to <c>SignCert</c>, against the decoder the KMS uses (both in Dstack.Attestation).</summary>
public sealed class CertSigningRequestTests
{
    [Fact]
    public void Encoding_the_reference_csr_gives_the_reference_bytes()
    {
        var csr = new CertSigningRequestV2
        {
            PublicKey = [1, 2, 3],
            Config = new CertConfigV2 { Subject = "test.example.com", UsageServerAuth = true },
            Attestation = AttestationCodec.EncodeV0(new VersionedAttestation
            {
                Quote = [],
                EventLog = [],
                RuntimeEvents = [],
                ReportData = new byte[64],
                Config = "",
            }),
        };

        var encoded = csr.Encode();

        Assert.Equal(117, encoded.Length);
        Assert.Equal(CsrReferenceVector.Hex, Convert.ToHexStringLower(encoded));
    }

    [Fact]
    public void A_signed_csr_decodes_to_the_same_fields_and_its_signature_verifies()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var attestation = new VersionedAttestation
        {
            Quote = RandomNumberGenerator.GetBytes(700),
            EventLog = [],
            RuntimeEvents = [new RuntimeEvent("app-id", RandomNumberGenerator.GetBytes(20))],
            ReportData = RandomNumberGenerator.GetBytes(64),
            Config = "{\"os_image_hash\":\"00\"}",
        };
        var altNames = Enumerable.Range(0, 70).Select(i => $"host{i}.example.com").Append("10.0.0.1").Append("::1").ToArray();
        var csr = new CertSigningRequestV2
        {
            PublicKey = key.ExportSubjectPublicKeyInfo(),
            Config = new CertConfigV2
            {
                OrgName = "Örg",
                Subject = "app.example.com",
                SubjectAltNames = altNames,
                UsageClientAuth = true,
                ExtQuote = true,
                ExtAppInfo = true,
                NotBefore = 1_700_000_000,
                NotAfter = ulong.MaxValue,
            },
            Attestation = AttestationCodec.EncodeV0(attestation),
        };

        var (encoded, signature) = csr.EncodeAndSign(key);
        var decoded = CertSigningRequestV2.Decode(encoded);

        Assert.Equal(CertSigningRequestV2.ConfirmText, decoded.Confirm);
        Assert.Equal(csr.PublicKey, decoded.PublicKey);
        Assert.Equal("Örg", decoded.Config.OrgName);
        Assert.Equal("app.example.com", decoded.Config.Subject);
        Assert.Equal(altNames, decoded.Config.SubjectAltNames);
        Assert.False(decoded.Config.UsageServerAuth);
        Assert.True(decoded.Config.UsageClientAuth);
        Assert.True(decoded.Config.ExtQuote);
        Assert.True(decoded.Config.ExtAppInfo);
        Assert.Equal(1_700_000_000UL, decoded.Config.NotBefore);
        Assert.Equal(ulong.MaxValue, decoded.Config.NotAfter);
        Assert.Equal(csr.Attestation, decoded.Attestation);
        var back = AttestationCodec.Decode(decoded.Attestation);
        Assert.Equal(attestation.Quote, back.Quote);
        Assert.Equal(attestation.ReportData, back.ReportData);
        Assert.Equal("app-id", Assert.Single(back.RuntimeEvents).Name);
        Assert.Equal(encoded, decoded.Encode());
        Assert.True(decoded.VerifySignature(encoded, signature));

        var tampered = (byte[])encoded.Clone();
        tampered[^1] ^= 1;
        Assert.False(decoded.VerifySignature(tampered, signature));
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.False(decoded.VerifySignature(encoded, csr.EncodeAndSign(other).Signature));
    }

    [Fact]
    public void Malformed_csrs_are_format_errors()
    {
        var bytes = Convert.FromHexString(CsrReferenceVector.Hex);
        var badBool = (byte[])bytes.Clone();
        badBool[1 + 17 + 1 + 3 + 1 + 1 + 16 + 1] = 2; // usage_server_auth, after the empty SAN list

        Assert.ThrowsAny<FormatException>(() => CertSigningRequestV2.Decode(bytes.AsMemory(0, 30)));
        Assert.Contains("usage_server_auth", Assert.ThrowsAny<FormatException>(() => CertSigningRequestV2.Decode(badBool)).Message, StringComparison.Ordinal);
    }
}
