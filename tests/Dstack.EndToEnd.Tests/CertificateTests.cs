using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Dstack.Crypto.RaTls;
using Dstack.EndToEnd.Tests.Support;
using Dstack.Tests;

namespace Dstack.EndToEnd.Tests;

/// <summary>
/// With the KMS key provider, <c>dstack-agent run</c> has the KMS sign certificates (<c>SignCert</c>, spec §4.2 step 4):
/// <c>GetTlsKey</c> returns <c>[leaf, app CA, KMS root CA]</c> and <c>Info.app_cert</c> is a KMS-signed demo certificate;
/// with the KMS gone, <c>GetTlsKey</c> is a quick 400 that names it.
/// </summary>
public sealed class CertificateTests : IDisposable
{
    private readonly SimulatedPlatform _platform = new();

    public void Dispose() => _platform.Dispose();

    [Fact]
    public async Task GetTlsKey_returns_a_leaf_signed_by_the_kms_app_ca_and_fails_quickly_naming_the_kms_once_it_is_gone()
    {
        var node = await KmsNode.CreateAsync(_platform, "kms");
        node.Configure(PolicyFile.Allowing());
        var vm = new GuestVm(_platform, "vm");
        vm.SetKmsUrls(node.Url);
        var kms = await node.StartAsync();
        await using var agent = await BootAndRunAsync(vm);
        using var http = UnixSocketHttp.Create(vm.DstackSocketPath);
        try
        {
            using var connection = KmsNode.Connect(kms);
            var rootCaPem = (await connection.Client.GetMetaAsync(KmsConnection.Deadline())).CaCert;

            using var response = await http.PostAsJsonAsync("http://localhost/GetTlsKey", new
            {
                subject = "app.e2e.test",
                alt_names = new[] { "app.e2e.test", "10.1.2.3" },
                usage_ra_tls = true,
                usage_server_auth = true,
                usage_client_auth = true,
                with_app_info = true,
            });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body + Environment.NewLine + agent.Output);
            using var json = JsonDocument.Parse(body);
            var chain = json.RootElement.GetProperty("certificate_chain").EnumerateArray().Select(e => e.GetString()!).ToArray();
            Assert.Equal(3, chain.Length);
            Assert.Equal(rootCaPem, chain[2]);
            using var leaf = X509Certificate2.CreateFromPem(chain[0]);
            using var appCa = X509Certificate2.CreateFromPem(chain[1]);
            using var rootCa = X509Certificate2.CreateFromPem(chain[2]);

            // leaf ← app CA ← KMS root CA, and nothing else trusted
            Assert.Equal("CN=Dstack App CA, O=Dstack", appCa.Subject);
            Assert.Equal(appCa.Subject, leaf.Issuer);
            Assert.Equal(rootCa.Subject, appCa.Issuer);
            ChainAssert.Chains(leaf, appCa, rootCa);
            Assert.Equal("app:ca", RaTlsCertificate.Parse(appCa).SpecialUsage);

            // the leaf certifies the returned key, with what was asked for
            using var key = ECDsa.Create();
            key.ImportFromPem(json.RootElement.GetProperty("key").GetString());
            Assert.Equal(key.ExportSubjectPublicKeyInfo(), leaf.PublicKey.ExportSubjectPublicKeyInfo());
            Assert.Equal("CN=app.e2e.test", leaf.Subject);
            var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            Assert.Equal(["app.e2e.test"], san.EnumerateDnsNames());
            Assert.Equal([IPAddress.Parse("10.1.2.3")], san.EnumerateIPAddresses());
            var eku = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
            Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
            var parsed = RaTlsCertificate.Parse(leaf);
            Assert.Equal(E2eApp.AppIdOf(E2eApp.Compose), parsed.AppId!.Value.ToArray());
            Assert.Equal("app:custom", parsed.SpecialUsage);

            // the RA-TLS attestation binds the leaf key, and it is this VM's
            var binding = RaTlsQuoteBinding.Check(parsed);
            Assert.True(binding.IsBound, binding.Problem);
            var appIdEvent = binding.Attestation!.RuntimeEvents.Single(e => e.Name == "app-id");
            Assert.Equal(E2eApp.AppIdOf(E2eApp.Compose), appIdEvent.Payload);

            // with_app_info: the KMS adds the app-info extension (MessagePack array of 9, app_id then compose_hash first)
            var appInfo = parsed.AppInfo!.Value.ToArray();
            Assert.Equal(0x99, appInfo[0]);
            Assert.Equal([0xc4, 20, .. E2eApp.AppIdOf(E2eApp.Compose), 0xc4, 32, .. E2eApp.ComposeHashOf(E2eApp.Compose)], appInfo[1..57]);

            // Info.app_cert: the demo certificate, signed the same way
            var demo = await WaitForAppCertAsync(http);
            var pems = demo.Split("\n\n");
            Assert.Equal(3, pems.Length);
            Assert.Equal(rootCaPem, pems[2]);
            using var demoLeaf = X509Certificate2.CreateFromPem(pems[0]);
            using var demoCa = X509Certificate2.CreateFromPem(pems[1]);
            Assert.Equal("CN=demo-cert", demoLeaf.Subject);
            ChainAssert.Chains(demoLeaf, demoCa, rootCa);
            Assert.True(RaTlsQuoteBinding.Check(RaTlsCertificate.Parse(demoLeaf)).IsBound);
        }
        finally
        {
            await kms.DisposeAsync();
        }

        // the KMS is gone: a 400 naming it, not a hang
        var clock = Stopwatch.StartNew();
        using var refused = await http.PostAsJsonAsync("http://localhost/GetTlsKey", new { subject = "app.e2e.test" });
        var refusal = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
        using var error = JsonDocument.Parse(refusal);
        var message = error.RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith($"cannot issue certificates: KMS {node.Url}: SignCert: Unavailable: Error connecting to the server: ", message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kms_that_refuses_the_app_is_a_400_with_its_reason()
    {
        var node = await KmsNode.CreateAsync(_platform, "kms");
        node.Configure(PolicyFile.Allowing());
        var vm = new GuestVm(_platform, "vm");
        vm.SetKmsUrls(node.Url);
        await using (var booting = await node.StartAsync())
        {
            await using var boot = await vm.BootAsync();
            Assert.True(boot.ExitCode == 0, boot.Output);
        }

        // the same KMS keys, now with a policy that refuses every app
        node.Configure(new PolicyFile());
        await using var kms = await node.StartAsync();
        await using var agent = AgentProcess.Start("run", vm.ConfigPath);
        await agent.WaitForSocketsAsync([vm.DstackSocketPath, vm.TappdSocketPath], TimeSpan.FromSeconds(30));
        using var http = UnixSocketHttp.Create(vm.DstackSocketPath);

        using var refused = await http.PostAsJsonAsync("http://localhost/GetTlsKey", new { subject = "app.e2e.test" });
        var refusal = await refused.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var message = JsonDocument.Parse(refusal).RootElement.GetProperty("error").GetString()!;
        Assert.Equal($"cannot issue certificates: KMS {node.Url}: SignCert: PermissionDenied: Boot denied: App not registered", message);
    }

    private static async Task<AgentProcess> BootAndRunAsync(GuestVm vm)
    {
        await using (var boot = await vm.BootAsync())
        {
            Assert.True(boot.ExitCode == 0, boot.Output);
        }

        var agent = AgentProcess.Start("run", vm.ConfigPath);
        await agent.WaitForSocketsAsync([vm.DstackSocketPath, vm.TappdSocketPath], TimeSpan.FromSeconds(30));
        return agent;
    }

    private static async Task<string> WaitForAppCertAsync(HttpClient http)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            using var info = await http.GetAsync(new Uri("http://localhost/Info"));
            var body = await info.Content.ReadAsStringAsync();
            Assert.True(info.IsSuccessStatusCode, body);
            var appCert = JsonDocument.Parse(body).RootElement.GetProperty("app_cert").GetString()!;
            if (appCert.Length > 0 || DateTimeOffset.UtcNow > deadline)
            {
                Assert.NotEqual("", appCert);
                return appCert;
            }

            await Task.Delay(200);
        }
    }
}
