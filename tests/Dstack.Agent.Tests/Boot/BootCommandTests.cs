using System.Security.Cryptography;
using Dstack.Agent.Boot;
using Dstack.Attestation.Simulation;
using Dstack.Crypto.RaTls;

namespace Dstack.Agent.Tests.Boot;

public sealed class BootCommandTests : IDisposable
{
    private readonly BootTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public async Task Boot_verb_exits_1_with_the_failed_step_and_reason()
    {
        using (SimulatedTd.Open(_bed.StateDirectory))
        {
        }

        await using var kms = await TestKms.StartAsync(new MockDcapPki(MockAttestationSeed.Load(_bed.StateDirectory)));
        kms.DenyReason = "app not registered";
        _bed.SetKmsUrls(kms.Url);
        using var error = new StringWriter();

        var code = await BootHost.RunAsync(_bed.Settings(), error, onlyIfRequested: false, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Contains("boot step 'request app keys' failed", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("app not registered", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Boot_configuration_is_validated_and_unknown_keys_are_rejected()
    {
        using var error = new StringWriter();
        var settings = _bed.Settings(new Dictionary<string, string?>
        {
            ["Boot:Bogus"] = "1",
            ["Boot:Storage:Command"] = "relative/storage",
            ["Boot:KmsRetryTimeoutSeconds"] = "-1",
        });

        var code = await BootHost.RunAsync(settings, error, onlyIfRequested: false, CancellationToken.None);

        Assert.Equal(2, code);
        var text = error.ToString();
        Assert.Contains("unknown configuration key 'Boot:Bogus'", text, StringComparison.Ordinal);
        Assert.Contains("Boot:Storage:Command must be an absolute path", text, StringComparison.Ordinal);
        Assert.Contains("Boot:KmsRetryTimeoutSeconds must be 0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_without_BeforeServing_does_not_boot()
    {
        using var error = new StringWriter();
        _bed.SetKmsUrls("https://localhost:1");

        var code = await BootHost.RunAsync(_bed.Settings(), error, onlyIfRequested: true, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.False(File.Exists(_bed.InstanceInfoPath));
    }

    [Fact]
    public void Kms_server_certificate_must_chain_to_the_root_ca_and_carry_kms_rpc()
    {
        var builder = new RaTlsCertificateBuilder(TimeProvider.System);
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = builder.IssueSelfSigned(rootKey, new RaTlsCertificateOptions { Subject = "root", IsCertificateAuthority = true, PathLength = 1, SpecialUsage = null });
        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = builder.IssueSelfSigned(strangerKey, new RaTlsCertificateOptions { Subject = "root", IsCertificateAuthority = true, PathLength = 1, SpecialUsage = null });
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var good = builder.Issue(leafKey.ExportSubjectPublicKeyInfo(), new RaTlsCertificateOptions { Subject = "kms", SpecialUsage = "kms:rpc" }, root.SubjectName, rootKey);
        using var wrongUsage = builder.Issue(leafKey.ExportSubjectPublicKeyInfo(), new RaTlsCertificateOptions { Subject = "kms", SpecialUsage = "app:custom" }, root.SubjectName, rootKey);
        using var foreign = builder.Issue(leafKey.ExportSubjectPublicKeyInfo(), new RaTlsCertificateOptions { Subject = "kms", SpecialUsage = "kms:rpc" }, stranger.SubjectName, strangerKey);

        Assert.Null(KmsRpc.CheckServerCertificate(good, null, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors, root));
        Assert.Contains("special usage", KmsRpc.CheckServerCertificate(wrongUsage, null, System.Net.Security.SslPolicyErrors.None, root), StringComparison.Ordinal);
        Assert.Contains("does not chain to the KMS root CA", KmsRpc.CheckServerCertificate(foreign, null, System.Net.Security.SslPolicyErrors.None, root), StringComparison.Ordinal);
        Assert.Contains("does not name the host", KmsRpc.CheckServerCertificate(good, null, System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch, root), StringComparison.Ordinal);
    }
}
