using System.Security.Cryptography;
using Dstack.Crypto.Encodings;
using Dstack.Crypto.Keys;
using Dstack.Crypto.Secp256k1;
using static Dstack.Crypto.Tests.TestVectors;

namespace Dstack.Crypto.Tests.Encodings;

public class P256KeyEncodingTests
{
    private const string DeriveKeyExamplePem =
        "-----BEGIN PRIVATE KEY-----\n"
        + "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9sHtlEiDlNeOCk5a\n"
        + "t11i6fCF1zsLVV0GFPuQyhPZRk2hRANCAATzZ6Uv0OjV+N7V/9AFegAIN4Cq4ZtK\n"
        + "/NF7lrkzf2ntB8cPCLhxA9GLjoZejwV4rSjF9rQnWO6rR7BJgkjpwDas\n"
        + "-----END PRIVATE KEY-----\n";

    [Fact]
    public void DeriveKeyExample_PemIsByteExact()
    {
        var service = new AppKeyService(SimulatorK256Key, SimulatorK256Signature, LibSecp256k1.Instance);
        var scalar = service.DeriveP256Key("/");
        Assert.Equal(DeriveKeyExamplePem, P256KeyEncoding.ToPkcs8Pem(scalar));
    }

    [Fact]
    public void Pkcs8Der_IsCanonical138Bytes_AndMatchesDotNetExport()
    {
        var scalar = Hex("f6c1ed94488394d78e0a4e5ab75d62e9f085d73b0b555d0614fb90ca13d9464d");
        var der = P256KeyEncoding.ToPkcs8Der(scalar);
        Assert.Equal(138, der.Length);
        Assert.Equal(scalar, der.AsSpan(36, 32).ToArray());
        using var key = P256KeyEncoding.CreateECDsa(scalar);
        Assert.Equal(der, key.ExportPkcs8PrivateKey());
        Assert.Equal(scalar, P256KeyEncoding.ReadPkcs8Der(der));
        Assert.Equal(scalar, P256KeyEncoding.ReadPrivateKeyPem(DeriveKeyExamplePem));
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), P256KeyEncoding.SubjectPublicKeyInfoOf(scalar));
    }

    [Fact]
    public void SimulatorKeyProviderPem_RoundTrips()
    {
        var pem = TestVectors.AppKeys.GetProperty("key_provider").GetProperty("None").Str("key");
        var scalar = P256KeyEncoding.ReadPrivateKeyPem(pem);
        Assert.Equal(pem, P256KeyEncoding.ToPkcs8Pem(scalar));

        // it is the key of the fixture's CA certificate
        using var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(TestVectors.AppKeys.Str("ca_cert"));
        Assert.Equal(ca.PublicKey.ExportSubjectPublicKeyInfo(), P256KeyEncoding.SubjectPublicKeyInfoOf(scalar));
    }

    [Fact]
    public void SdkHelpers_SeeAConstantHeaderThenTheScalar()
    {
        // JS asUint8Array(n) takes the first n bytes of the DER; toViemAccountSecure hashes the whole DER
        var a = P256KeyEncoding.ToPkcs8Der(RandomScalar());
        var b = P256KeyEncoding.ToPkcs8Der(RandomScalar());
        Assert.Equal(a.AsSpan(0, 32).ToArray(), b.AsSpan(0, 32).ToArray());
        Assert.Equal("308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b02", Convert.ToHexStringLower(a.AsSpan(0, 32)));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")]
    public void InvalidScalars_AreRejected(string hex)
    {
        Assert.False(P256KeyEncoding.IsValidPrivateKey(Hex(hex)));
        Assert.Throws<DstackCryptoException>(() => P256KeyEncoding.ToPkcs8Der(Hex(hex)));
    }

    [Fact]
    public void ReadPkcs8_RejectsGarbage() =>
        Assert.Throws<DstackCryptoException>(() => P256KeyEncoding.ReadPkcs8Der([0x30, 0x00]));

    private static byte[] RandomScalar()
    {
        while (true)
        {
            var candidate = RandomNumberGenerator.GetBytes(32);
            if (P256KeyEncoding.IsValidPrivateKey(candidate))
            {
                return candidate;
            }
        }
    }
}
