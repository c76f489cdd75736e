using System.Security.Cryptography;
using Dstack.Crypto.Encodings;
using Dstack.Crypto.RaTls;
using Dstack.Kms.Authentication;

namespace Dstack.Kms.Tests;

public sealed class TempCaClientCertificatesTests
{
    [Fact]
    public async Task Client_certificate_must_chain_to_the_temp_ca()
    {
        using var bed = await KmsTestBed.CreateAsync();
        var temp = bed.Service.GetTempCaCert().Value!;
        using var tempKey = ECDsa.Create();
        tempKey.ImportFromPem(temp.TempCaKey);
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var builder = new RaTlsCertificateBuilder(TimeProvider.System);
        var options = new RaTlsCertificateOptions { Subject = "RA-TLS TEMP Cert", SpecialUsage = null };

        using var issued = builder.Issue(clientKey.ExportSubjectPublicKeyInfo(), options, bed.Holder.Keys!.TempCaCertificate.SubjectName, tempKey);
        using var forged = builder.Issue(clientKey.ExportSubjectPublicKeyInfo(), options, bed.Holder.Keys.TempCaCertificate.SubjectName, clientKey);

        Assert.True(TempCaClientCertificates.ChainsTo(issued, bed.Holder.Keys.TempCaCertificate));
        Assert.False(TempCaClientCertificates.ChainsTo(forged, bed.Holder.Keys.TempCaCertificate));
        Assert.Equal(P256KeyEncoding.SubjectPublicKeyInfoLength, bed.Holder.Keys.CaSubjectPublicKeyInfo.Length);
    }
}
