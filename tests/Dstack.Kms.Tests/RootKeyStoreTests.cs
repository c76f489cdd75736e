using System.Security.Cryptography.X509Certificates;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.Formats;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.ReportData;
using Dstack.Kms.Keys;

namespace Dstack.Kms.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RootKeyStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Second_bootstrap_loads_the_same_keys_and_never_overwrites()
    {
        using var bed = await KmsTestBed.CreateAsync();
        var first = bed.Holder.Keys!;
        var before = Directory.GetFiles(bed.KeyDirectory).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

        var refused = await Assert.ThrowsAsync<KeyStoreException>(() => bed.Store.BootstrapAsync("kms.test", None));
        var (loaded, generated) = await bed.CreateStore(bed.KeyDirectory).LoadOrBootstrapAsync("kms.test", None);
        using var _ = loaded;

        Assert.Contains("already been bootstrapped", refused.Message, StringComparison.Ordinal);
        Assert.False(generated);
        Assert.Equal(first.K256PublicKey, loaded.K256PublicKey);
        Assert.Equal(first.CaSubjectPublicKeyInfo, loaded.CaSubjectPublicKeyInfo);
        Assert.Equal(first.CaCertPem, loaded.CaCertPem);
        Assert.Equal(first.DeriveAppKeys(KmsTestBed.AppId, KmsTestBed.InstanceId).DiskCryptKey.ToArray(), loaded.DeriveAppKeys(KmsTestBed.AppId, KmsTestBed.InstanceId).DiskCryptKey.ToArray());
        foreach (var (name, bytes) in Directory.GetFiles(bed.KeyDirectory).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes))
        {
            Assert.Equal(before[name], bytes);
        }
    }

    [Fact]
    public async Task Key_files_are_private_and_complete()
    {
        using var bed = await KmsTestBed.CreateAsync();

        foreach (var name in RootKeyFiles.Required.Append(RootKeyFiles.BootstrapInfo).Append(RootKeyFiles.RpcDomain))
        {
            var path = Path.Combine(bed.KeyDirectory, name);
            Assert.True(File.Exists(path), name);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Equal(32, new FileInfo(Path.Combine(bed.KeyDirectory, RootKeyFiles.RootK256Key)).Length);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(bed.KeyDirectory, RootKeyFiles.RootCaKey)), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(bed.KeyDirectory, "*.tmp"));
    }

    [Fact]
    public async Task Bootstrap_record_and_rpc_certificate_are_attested_by_the_kms_td()
    {
        using var bed = await KmsTestBed.CreateAsync();
        var keys = bed.Holder.Keys!;
        var verifier = new QuoteVerifier(bed.KmsTd.TrustRoot);

        var bootstrap = keys.Bootstrap!;
        var attestation = AttestationCodec.Decode(bootstrap.Attestation);
        var rpc = RaTlsQuoteBinding.Check(RaTlsCertificate.Parse(keys.RpcCertificate));

        Assert.Equal(keys.CaSubjectPublicKeyInfo, bootstrap.CaPublicKey);
        Assert.Equal(keys.K256PublicKey, bootstrap.K256PublicKey);
        Assert.Equal(QuoteReportData.ForKmsBootstrap(bootstrap.CaPublicKey, bootstrap.K256PublicKey), attestation.ReportData);
        Assert.True(verifier.Verify(attestation.Quote).IsValid);
        Assert.True(rpc.IsBound, rpc.Problem);
        Assert.True(verifier.Verify(rpc.Quote!).IsValid);
        Assert.Equal("kms:rpc", RaTlsCertificate.Parse(keys.RpcCertificate).SpecialUsage);
        Assert.Equal("CN=Dstack KMS CA, O=Dstack", keys.CaCertificate.Subject);
        Assert.True(keys.RpcCertificate.Issuer == keys.CaCertificate.Subject);
        var constraints = keys.CaCertificate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        Assert.Equal(1, constraints.PathLengthConstraint);
    }

    [Fact]
    public async Task Corrupt_key_file_is_refused_naming_the_file()
    {
        using var bed = await KmsTestBed.CreateAsync();
        var k256 = Path.Combine(bed.KeyDirectory, RootKeyFiles.RootK256Key);
        File.WriteAllBytes(k256, new byte[31]);

        var error = Assert.Throws<KeyStoreException>(() => bed.CreateStore(bed.KeyDirectory).Load());

        Assert.Contains(k256, error.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_of_another_key_is_refused()
    {
        using var bed = await KmsTestBed.CreateAsync();
        var caCert = Path.Combine(bed.KeyDirectory, RootKeyFiles.RootCaCert);
        File.WriteAllText(caCert, File.ReadAllText(Path.Combine(bed.KeyDirectory, RootKeyFiles.TempCaCert)));

        var error = Assert.Throws<KeyStoreException>(() => bed.CreateStore(bed.KeyDirectory).Load());

        Assert.Contains("CA certificate does not match private key", error.Message, StringComparison.Ordinal);
        Assert.Contains(RootKeyFiles.RootCaCert, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Partial_store_is_refused_for_load_and_bootstrap()
    {
        using var bed = await KmsTestBed.CreateAsync();
        File.Delete(Path.Combine(bed.KeyDirectory, RootKeyFiles.RpcKey));
        var store = bed.CreateStore(bed.KeyDirectory);

        var load = Assert.Throws<KeyStoreException>(() => store.Load());
        var bootstrap = await Assert.ThrowsAsync<KeyStoreException>(() => store.LoadOrBootstrapAsync("kms.test", None));

        Assert.Contains("incomplete", load.Message, StringComparison.Ordinal);
        Assert.Contains(RootKeyFiles.RpcKey, load.Message, StringComparison.Ordinal);
        Assert.Contains("never overwritten", bootstrap.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_directory_is_bootstrapped_and_reported_as_generated()
    {
        using var bed = await KmsTestBed.CreateAsync();
        var store = bed.CreateStore(Path.Combine(bed.Directory.Path, "fresh"));

        var (keys, generated) = await store.LoadOrBootstrapAsync("fresh.test", None);
        using var _ = keys;

        Assert.True(generated);
        Assert.True(store.KeysExist);
        Assert.NotEqual(bed.Holder.Keys!.K256PublicKey, keys.K256PublicKey);
        Assert.Equal("fresh.test", File.ReadAllText(Path.Combine(store.Directory, RootKeyFiles.RpcDomain)));
    }
}
