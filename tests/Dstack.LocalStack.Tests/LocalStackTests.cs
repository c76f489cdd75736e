using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Simulation;
using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;
using Dstack.LocalStack.Tests.Support;
using Dstack.Rpc.Client;
using Dstack.Rpc.Kms;
using Dstack.Tests;

namespace Dstack.LocalStack.Tests;

public sealed class LocalStackTests
{
    private static readonly string[] BootOrder =
        ["system-preparing", "app-id", "compose-hash", "instance-id", "boot-mr-done", "os-image-hash", "key-provider", "storage-fs", "system-ready"];

    [Fact]
    public async Task First_start_boots_the_sample_app_against_the_in_process_kms_and_serves_its_keys()
    {
        await using var stack = await LocalStackRun.StartAsync();
        Assert.Contains("booted now against the KMS (9 runtime events emitted)", stack.Output, StringComparison.Ordinal);
        Assert.Contains($"curl --unix-socket {stack.DstackSocket} http://localhost/Info", stack.Output, StringComparison.Ordinal);

        var compose = await File.ReadAllBytesAsync(Path.Combine(stack.VmDirectory, "app-compose.json"));
        var composeHash = Convert.ToHexStringLower(SHA256.HashData(compose));
        using var http = UnixSocketHttp.Create(stack.DstackSocket);
        using var info = JsonDocument.Parse(await http.GetStringAsync("/Info"));
        Assert.Equal(composeHash, info.RootElement.GetProperty("compose_hash").GetString());
        Assert.Equal(composeHash[..40], info.RootElement.GetProperty("app_id").GetString());
        Assert.Equal("dstack-dev-app", info.RootElement.GetProperty("app_name").GetString());
        using var provider = JsonDocument.Parse(info.RootElement.GetProperty("key_provider_info").GetString()!);
        Assert.Equal("kms", provider.RootElement.GetProperty("name").GetString());

        // the KMS's k256 root key, asked over its own gRPC endpoint, is the one the help prints
        var meta = await GetMetaAsync(stack);
        var kmsRoot = meta.K256Pubkey.ToByteArray();
        Assert.Equal(33, kmsRoot.Length);
        Assert.Contains($"KMS k256 root    {Convert.ToHexStringLower(kmsRoot)}", stack.Output, StringComparison.Ordinal);

        // GetKey: the second link of the chain recovers to the KMS root key
        using var key = JsonDocument.Parse(await http.GetStringAsync("/GetKey?path=my/key&purpose=signing"));
        var derived = Convert.FromHexString(key.RootElement.GetProperty("key").GetString()!);
        var chain = key.RootElement.GetProperty("signature_chain").EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!)).ToList();
        Assert.Equal(2, chain.Count);
        var secp = LibSecp256k1.Instance;
        var derivedPublic = new byte[33];
        secp.GetPublicKey(derived, derivedPublic);
        var appRoot = SignatureChainVerifier.Verify(secp, "signing", derivedPublic, chain[0], chain[1], Convert.FromHexString(composeHash[..40]), kmsRoot);
        Assert.NotNull(appRoot);
        var otherRoot = new byte[33];
        secp.GetPublicKey(RandomNumberGenerator.GetBytes(32), otherRoot);
        Assert.Null(SignatureChainVerifier.Verify(secp, "signing", derivedPublic, chain[0], chain[1], Convert.FromHexString(composeHash[..40]), otherRoot));

        // GetQuote: verifies under the mock root the KMS trusts, and its event log replays to RTMR3
        using var quoteJson = JsonDocument.Parse(await http.GetStringAsync("/GetQuote?report_data=0x1234"));
        var quoteBytes = Convert.FromHexString(quoteJson.RootElement.GetProperty("quote").GetString()!);
        using var pki = new MockDcapPki(MockAttestationSeed.Load(stack.KmsTdDirectory));
        var verification = new QuoteVerifier(pki.TrustRoot).Verify(quoteBytes);
        Assert.True(verification.IsValid, string.Join("; ", verification.Failures));
        var quote = verification.Quote!;
        Assert.Equal(Convert.FromHexString("1234" + new string('0', 124)), quote.ReportData.ToArray());
        var events = EventLogJson.Deserialize(quoteJson.RootElement.GetProperty("event_log").GetString()!);
        var runtime = AppInfoCalculator.RuntimeEventsOf(events);
        Assert.Equal(BootOrder, runtime.Select(e => e.Name));
        Assert.Equal(quote.Rtmrs[3].ToArray(), AppInfoCalculator.ReplayRuntimeEvents(runtime, bootTime: false));
        Assert.Equal(composeHash, Convert.ToHexStringLower(runtime.Single(e => e.Name == "compose-hash").Payload));

        // the legacy socket answers too; Ctrl-C removes both
        using var tappd = UnixSocketHttp.Create(stack.TappdSocket);
        Assert.Equal(HttpStatusCode.OK, (await tappd.GetAsync("/prpc/Tappd.Info")).StatusCode);
        Assert.Equal(0, await stack.StopAsync());
        Assert.False(File.Exists(stack.DstackSocket));
        Assert.False(File.Exists(stack.TappdSocket));
    }

    [Fact]
    public async Task GetTlsKey_and_the_demo_certificate_are_signed_by_the_in_process_kms()
    {
        await using var stack = await LocalStackRun.StartAsync();
        var meta = await GetMetaAsync(stack);
        using var http = UnixSocketHttp.Create(stack.DstackSocket);

        using var response = await http.PostAsync(new Uri("/GetTlsKey", UriKind.Relative), new StringContent(
            "{\"subject\":\"local.app\",\"alt_names\":[\"local.app\"],\"usage_ra_tls\":true,\"usage_server_auth\":true}",
            System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var json = JsonDocument.Parse(body);
        var chain = json.RootElement.GetProperty("certificate_chain").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(3, chain.Length);
        Assert.Equal(meta.CaCert, chain[2]);
        using var leaf = X509Certificate2.CreateFromPem(chain[0]);
        using var appCa = X509Certificate2.CreateFromPem(chain[1]);
        using var root = X509Certificate2.CreateFromPem(chain[2]);
        Assert.Equal("CN=local.app", leaf.Subject);
        Assert.Equal("CN=Dstack App CA, O=Dstack", appCa.Subject);
        Assert.Equal(appCa.Subject, leaf.Issuer);
        Assert.Equal(root.Subject, appCa.Issuer);

        ChainAssert.Chains(leaf, appCa, root);
        using var key = ECDsa.Create();
        key.ImportFromPem(json.RootElement.GetProperty("key").GetString());
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), leaf.PublicKey.ExportSubjectPublicKeyInfo());
        var binding = Dstack.Crypto.RaTls.RaTlsQuoteBinding.Check(Dstack.Crypto.RaTls.RaTlsCertificate.Parse(leaf));
        Assert.True(binding.IsBound, binding.Problem);

        string appCert = "";
        for (var i = 0; i < 100 && appCert.Length == 0; i++)
        {
            using var info = JsonDocument.Parse(await http.GetStringAsync("/Info"));
            appCert = info.RootElement.GetProperty("app_cert").GetString()!;
            if (appCert.Length == 0)
            {
                await Task.Delay(200);
            }
        }

        var pems = appCert.Split("\n\n");
        Assert.Equal(3, pems.Length);
        Assert.Equal(meta.CaCert, pems[2]);
        using var demo = X509Certificate2.CreateFromPem(pems[0]);
        Assert.Equal("CN=demo-cert", demo.Subject);
    }

    [Fact]
    public async Task A_restart_reuses_the_keys_and_emits_no_boot_event_again()
    {
        await using var stack = await LocalStackRun.StartAsync();
        string key1, rtmr3First;
        var meta1 = await GetMetaAsync(stack);
        using (var http = UnixSocketHttp.Create(stack.DstackSocket))
        {
            key1 = await http.GetStringAsync("/GetKey?path=wallet&purpose=signing");
            rtmr3First = Rtmr3(await http.GetStringAsync("/Info"));
        }

        var logPath = Path.Combine(stack.VmDirectory, "td", RuntimeEventLog.FileName);
        var logBefore = await File.ReadAllTextAsync(logPath);
        Assert.Equal(0, await stack.StopAsync());

        Assert.Null(await stack.RunAsync());
        Assert.Contains("already booted (keys reused, boot events are not emitted again)", stack.Output, StringComparison.Ordinal);
        using (var http = UnixSocketHttp.Create(stack.DstackSocket))
        {
            Assert.Equal(key1, await http.GetStringAsync("/GetKey?path=wallet&purpose=signing"));
            Assert.Equal(rtmr3First, Rtmr3(await http.GetStringAsync("/Info")));

            // the KMS listens on another port now; certificates still come from it
            using var tls = JsonDocument.Parse(await http.GetStringAsync("/GetTlsKey?subject=again"));
            Assert.Equal(3, tls.RootElement.GetProperty("certificate_chain").GetArrayLength());
        }

        Assert.Equal(logBefore, await File.ReadAllTextAsync(logPath));
        var meta2 = await GetMetaAsync(stack);
        Assert.Equal(meta1.K256Pubkey, meta2.K256Pubkey);
        Assert.Equal(meta1.CaCert, meta2.CaCert);
    }

    [Fact]
    public async Task A_pinned_app_id_is_measured_and_allowed_by_the_generated_policy()
    {
        const string AppId = "0x5B5B5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b";
        await using var stack = await LocalStackRun.StartAsync(appId: AppId);
        using var http = UnixSocketHttp.Create(stack.DstackSocket);
        using var info = JsonDocument.Parse(await http.GetStringAsync("/Info"));
        Assert.Equal(string.Concat(Enumerable.Repeat("5b", 20)), info.RootElement.GetProperty("app_id").GetString());
        await stack.StopAsync();

        // the directory now belongs to that app: another pin is refused, naming both
        var code = await stack.RunAsync(appId: new string('a', 40));
        Assert.Equal(1, code);
        Assert.Contains("pins app id 5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b, not aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", stack.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kms_config_whose_policy_refuses_the_app_stops_with_the_refusal()
    {
        await using var stack = LocalStackRun.Create();
        var policy = Path.Combine(stack.Directory, "refusing-policy.json");
        var config = Path.Combine(stack.Directory, "kms-config.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Policy"] = new Dictionary<string, string> { ["Kind"] = "file", ["Path"] = policy },
        }));

        // the operator's policy knows the KMS itself (as the stack computes it from the KMS's TD), the app and its OS
        // image, but allows another compose hash only
        var vm = Dstack.Agent.Embedding.LocalStackAgent.PrepareVm(stack.VmDirectory, new Uri("https://localhost:1"), null);
        var kms = await LocalKmsIdentity.PrepareAsync(
            LocalKmsConfiguration.Build(new LocalStackLayout(stack.Directory), config, 0).Values, CancellationToken.None);
        var otherCompose = new string('0', 64);
        await File.WriteAllTextAsync(policy,
            "{\"osImages\":[\"" + vm.OsImageHash + "\"],\"allowedTcbStatuses\":[\"UpToDate\"]," +
            "\"kms\":{\"mrAggregated\":[\"" + kms.MrAggregated + "\"],\"devices\":[\"" + kms.DeviceId + "\"]}," +
            "\"apps\":{\"" + vm.AppId + "\":{\"composeHashes\":[\"" + otherCompose + "\"],\"allowAnyDevice\":true}}}");
        var code = await stack.RunAsync(kmsConfig: config);
        Assert.Equal(1, code);
        Assert.Contains("PermissionDenied: Boot denied: Compose hash not allowed", stack.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(stack.DstackSocket));
        Assert.False(File.Exists(Path.Combine(stack.VmDirectory, "appkeys.json")));
    }

    [Fact]
    public async Task The_generated_policy_allows_the_kms_itself_and_a_policy_without_it_refuses_with_the_reason()
    {
        await using var stack = await LocalStackRun.StartAsync();
        await stack.StopAsync();
        using var generated = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(stack.Directory, "kms", "policy.json")));
        var kms = await LocalKmsIdentity.PrepareAsync(
            LocalKmsConfiguration.Build(new LocalStackLayout(stack.Directory), null, 0).Values,
            CancellationToken.None);

        await using var second = LocalStackRun.Create();
        var policy = Path.Combine(second.Directory, "no-kms-policy.json");
        var config = Path.Combine(second.Directory, "kms-config.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Policy"] = new Dictionary<string, string> { ["Kind"] = "file", ["Path"] = policy },
        }));
        var vm = Dstack.Agent.Embedding.LocalStackAgent.PrepareVm(second.VmDirectory, new Uri("https://localhost:1"), null);
        await File.WriteAllTextAsync(policy,
            "{\"osImages\":[\"" + vm.OsImageHash + "\"],\"apps\":{\"" + vm.AppId + "\":{\"composeHashes\":[\"" + vm.ComposeHash + "\"],\"allowAnyDevice\":true}}}");
        var code = await second.RunAsync(kmsConfig: config);

        var section = generated.RootElement.GetProperty("kms");
        Assert.Equal(kms.MrAggregated, Assert.Single(section.GetProperty("mrAggregated").EnumerateArray()).GetString());
        Assert.Equal(kms.DeviceId, Assert.Single(section.GetProperty("devices").EnumerateArray()).GetString());
        Assert.Equal(Convert.ToHexStringLower(LocalKmsIdentity.AppId), kms.AppId);
        Assert.Equal(1, code);
        Assert.Contains("PermissionDenied: KMS not allowed: Aggregated MR not allowed", second.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(second.VmDirectory, "appkeys.json")));
    }

    private static string Rtmr3(string info)
    {
        using var json = JsonDocument.Parse(info);
        using var tcb = JsonDocument.Parse(json.RootElement.GetProperty("tcb_info").GetString()!);
        return tcb.RootElement.GetProperty("rtmr3").GetString()!;
    }

    /// <summary>GetMeta of the KMS the VM's sys-config points at (server certificate not checked: the facts are public).</summary>
    internal static async Task<GetMetaResponse> GetMetaAsync(LocalStackRun stack)
    {
        using var sysConfig = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(stack.VmDirectory, "sys-config.json")));
        var url = sysConfig.RootElement.GetProperty("kms_urls")[0].GetString()!;
        using var client = new UnaryClient(new UnaryClientOptions { Address = new Uri(url), ServerCertificateValidation = (_, _, _) => true });
        return await new KmsClient(client).GetMetaAsync(DateTimeOffset.UtcNow.AddSeconds(30));
    }
}
