using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Attestation.Csr;
using Dstack.Attestation.Formats;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.ReportData;
using Dstack.Kms.Service;
using Dstack.Tests;

namespace Dstack.Kms.Tests;

public sealed class CertSigningRequestTests
{
    [Fact]
    public void Reference_vector_decodes_and_reencodes_byte_for_byte()
    {
        var bytes = Convert.FromHexString(CsrReferenceVector.Hex);

        var csr = CertSigningRequestV2.Decode(bytes);

        Assert.Equal(117, bytes.Length);
        Assert.Equal("please sign cert:", csr.Confirm);
        Assert.Equal(new byte[] { 1, 2, 3 }, csr.PublicKey);
        Assert.Null(csr.Config.OrgName);
        Assert.Equal("test.example.com", csr.Config.Subject);
        Assert.Empty(csr.Config.SubjectAltNames);
        Assert.True(csr.Config.UsageServerAuth);
        Assert.False(csr.Config.UsageClientAuth);
        Assert.False(csr.Config.ExtQuote);
        Assert.Null(csr.Config.NotAfter);
        var attestation = AttestationCodec.Decode(csr.Attestation);
        Assert.Empty(attestation.Quote);
        Assert.Equal(new byte[64], attestation.ReportData);
        Assert.Equal(bytes, csr.Encode());
    }

    [Fact]
    public void Ext_quote_variant_changes_the_flag_and_the_quote()
    {
        var vector = CsrReferenceVector.Hex.Replace("0100000000000000000000", "010001000000000004090000", StringComparison.Ordinal);

        var csr = CertSigningRequestV2.Decode(Convert.FromHexString(vector));

        Assert.True(csr.Config.ExtQuote);
        Assert.Equal(new byte[] { 9 }, AttestationCodec.Decode(csr.Attestation).Quote);
    }

    [Fact]
    public void Truncated_csr_is_rejected()
    {
        var bytes = Convert.FromHexString(CsrReferenceVector.Hex)[..30];

        Assert.ThrowsAny<FormatException>(() => CertSigningRequestV2.Decode(bytes));
    }

    [Fact]
    public async Task Sign_cert_issues_leaf_app_ca_and_root_for_an_attested_csr()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (csr, signature) = await CreateCsrAsync(bed, key, extQuote: true);

        var result = await bed.Service.SignCertAsync(new SignCertRequest(2, csr, signature, KmsTestBed.VmConfig), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Refusal?.Reason);
        Assert.Equal(3, result.Value.CertificateChain.Count);
        using var leaf = X509Certificate2.CreateFromPem(result.Value.CertificateChain[0]);
        using var appCa = X509Certificate2.CreateFromPem(result.Value.CertificateChain[1]);
        Assert.Equal(bed.Holder.Keys!.CaCertPem, result.Value.CertificateChain[2]);
        Assert.Equal("CN=app.example.com", leaf.Subject);
        Assert.Equal(appCa.Subject, leaf.Issuer);
        Assert.Equal("CN=Dstack App CA, O=Dstack", appCa.Subject);
        var parsed = RaTlsCertificate.Parse(leaf);
        Assert.Equal(KmsTestBed.AppId, parsed.AppId!.Value.ToArray());
        Assert.Equal("app:custom", parsed.SpecialUsage);
        Assert.NotNull(parsed.Attestation);
        Assert.Equal("app:ca", RaTlsCertificate.Parse(appCa).SpecialUsage);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), leaf.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public async Task Sign_cert_with_ext_app_info_adds_the_callers_app_info_and_without_it_none()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (withInfo, withInfoSignature) = await CreateCsrAsync(bed, key, extQuote: false, extAppInfo: true);
        var (without, withoutSignature) = await CreateCsrAsync(bed, key, extQuote: false);

        var result = await bed.Service.SignCertAsync(new SignCertRequest(2, withInfo, withInfoSignature, KmsTestBed.VmConfig), CancellationToken.None);
        var plain = await bed.Service.SignCertAsync(new SignCertRequest(2, without, withoutSignature, KmsTestBed.VmConfig), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Refusal?.Reason);
        Assert.True(plain.IsSuccess, plain.Refusal?.Reason);
        using var leaf = X509Certificate2.CreateFromPem(result.Value.CertificateChain[0]);
        var appInfo = RaTlsCertificate.Parse(leaf).AppInfo!.Value.ToArray();

        // MessagePack positional array of 9: bin8 app_id (20), bin8 compose_hash (32), bin8 instance_id, bin8 device_id = sha256("")
        Assert.Equal(0x99, appInfo[0]);
        Assert.Equal(new byte[] { 0xc4, 20 }, appInfo[1..3]);
        Assert.Equal(KmsTestBed.AppId, appInfo[3..23]);
        Assert.Equal(new byte[] { 0xc4, 32 }, appInfo[23..25]);
        Assert.Equal(0xc4, appInfo[57]);
        var afterInstanceId = 59 + appInfo[58];
        Assert.Equal(new byte[] { 0xc4, 32 }, appInfo[afterInstanceId..(afterInstanceId + 2)]);
        var deviceId = appInfo[(afterInstanceId + 2)..(afterInstanceId + 34)];
        Assert.Equal(SHA256.HashData([]), deviceId);
        Assert.Null(RaTlsCertificate.Parse(leaf).Attestation);
        using var plainLeaf = X509Certificate2.CreateFromPem(plain.Value.CertificateChain[0]);
        Assert.Null(RaTlsCertificate.Parse(plainLeaf).AppInfo);
    }

    [Fact]
    public async Task Sign_cert_refuses_bad_signature_wrong_confirm_and_v1()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (csr, signature) = await CreateCsrAsync(bed, key, extQuote: false);
        var (badConfirm, badConfirmSignature) = await CreateCsrAsync(bed, key, extQuote: false, confirm: "please sign cert");
        var tampered = (byte[])signature.Clone();
        tampered[^1] ^= 1;

        var badSignature = await bed.Service.SignCertAsync(new SignCertRequest(2, csr, tampered, KmsTestBed.VmConfig), CancellationToken.None);
        var wrongConfirm = await bed.Service.SignCertAsync(new SignCertRequest(2, badConfirm, badConfirmSignature, KmsTestBed.VmConfig), CancellationToken.None);
        var v1 = await bed.Service.SignCertAsync(new SignCertRequest(1, csr, signature, KmsTestBed.VmConfig), CancellationToken.None);

        Assert.Equal("invalid CSR signature", badSignature.Refusal?.Reason);
        Assert.Contains("confirm", wrongConfirm.Refusal?.Reason, StringComparison.Ordinal);
        Assert.StartsWith("Unsupported API version: 1", v1.Refusal?.Reason, StringComparison.Ordinal);
    }

    private static async Task<(byte[] Csr, byte[] Signature)> CreateCsrAsync(KmsTestBed bed, ECDsa key, bool extQuote, string confirm = CertSigningRequestV2.ConfirmText, bool extAppInfo = false)
    {
        var spki = key.ExportSubjectPublicKeyInfo();
        var reportData = QuoteReportData.ForRaTlsCertificate(spki);
        var quote = await bed.Caller.Device.GetQuoteAsync(reportData, CancellationToken.None);
        var attestation = await KmsTestBed.CreateAttestationAsync(bed.Caller, quote, reportData, KmsTestBed.VmConfig);
        var csr = new CertSigningRequestV2
        {
            Confirm = confirm,
            PublicKey = spki,
            Config = new CertConfigV2 { Subject = "app.example.com", SubjectAltNames = ["app.example.com", "10.0.0.1"], UsageServerAuth = true, ExtQuote = extQuote, ExtAppInfo = extAppInfo },
            Attestation = AttestationCodec.EncodeV0(attestation),
        }.Encode();
        return (csr, key.SignData(csr, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }
}
