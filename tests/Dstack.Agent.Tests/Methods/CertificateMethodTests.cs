using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Dstack.Agent.Tests.Support;
using Dstack.Attestation.Formats;
using Dstack.Crypto.RaTls;
using Dstack.Tests;

namespace Dstack.Agent.Tests.Methods;

public sealed class CertificateMethodTests
{
    private static readonly string FixtureCa = JsonDocument.Parse(File.ReadAllText(SharedFiles.Fixture("simulator-appkeys.json"))).RootElement.GetProperty("ca_cert").GetString()!;

    [Fact]
    public async Task GetTlsKey_issues_a_fresh_key_with_every_option_signed_by_the_app_ca()
    {
        await using var agent = await TestAgent.StartAsync();
        const string body = "{\"subject\":\"app.example\",\"alt_names\":[\"app.example\",\"10.1.2.3\",\"::1\"],\"usage_ra_tls\":true,"
            + "\"usage_server_auth\":true,\"usage_client_auth\":true,\"not_before\":1700000000,\"not_after\":1900000000,\"with_app_info\":true}";
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetTlsKey", body);
        Assert.Equal(200, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        var keyPem = json.RootElement.GetProperty("key").GetString()!;
        var chain = json.RootElement.GetProperty("certificate_chain").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(2, chain.Count);
        Assert.Equal(FixtureCa, chain[1]);

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", keyPem, StringComparison.Ordinal);
        Assert.EndsWith("-----END PRIVATE KEY-----\n", keyPem, StringComparison.Ordinal);
        var der = Convert.FromBase64String(string.Concat(keyPem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal))));
        Assert.Equal(138, der.Length);

        using var leaf = X509Certificate2.CreateFromPem(chain[0]);
        using var ca = X509Certificate2.CreateFromPem(chain[1]);
        CertificateAssert.SignedBy(leaf, ca);
        using var key = ECDsa.Create();
        key.ImportFromPem(keyPem);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), leaf.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal("CN=app.example", leaf.Subject);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000).UtcDateTime, leaf.NotBefore.ToUniversalTime());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1900000000).UtcDateTime, leaf.NotAfter.ToUniversalTime());

        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["app.example"], san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("10.1.2.3"), IPAddress.IPv6Loopback], san.EnumerateIPAddresses());
        var usage = leaf.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        var eku = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.Equal("app:custom"u8.ToArray(), CertificateAssert.DstackExtension(leaf, "1.3.6.1.4.1.62397.1.4"));

        var binding = RaTlsQuoteBinding.Check(RaTlsCertificate.Parse(leaf));
        Assert.True(binding.IsBound, binding.Problem);
        SimulatedRoot.AssertVerifies(agent.Directory, binding.Attestation!.Quote);
        // lite stripping: no boot events except ACPI DATA, runtime digests empty
        Assert.All(binding.Attestation.EventLog, e => Assert.True(e.IsRuntimeEvent || e.Event.StartsWith("acpi-", StringComparison.Ordinal), e.Event));

        var appInfo = CertificateAssert.DstackExtension(leaf, "1.3.6.1.4.1.62397.1.9")!;
        Assert.Equal(0x99, appInfo[0]); // msgpack array of the nine AppInfo fields

        var second = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetTlsKey", "{}");
        using var secondJson = JsonDocument.Parse(second.Body);
        Assert.NotEqual(keyPem, secondJson.RootElement.GetProperty("key").GetString());
    }

    [Fact]
    public async Task GetTlsKey_defaults_follow_rcgen_and_omit_optional_extensions()
    {
        await using var agent = await TestAgent.StartAsync();
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetTlsKey", "{\"subject\":\"\"}");
        using var json = JsonDocument.Parse(response.Body);
        using var leaf = X509Certificate2.CreateFromPem(json.RootElement.GetProperty("certificate_chain")[0].GetString()!);
        Assert.Equal("", leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Equal(new DateTime(1975, 1, 1, 0, 0, 0, DateTimeKind.Utc), leaf.NotBefore.ToUniversalTime());
        Assert.Empty(leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Empty(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Null(CertificateAssert.DstackExtension(leaf, "1.3.6.1.4.1.62397.1.8"));
        Assert.Null(CertificateAssert.DstackExtension(leaf, "1.3.6.1.4.1.62397.1.9"));
    }

    [Theory]
    [InlineData("{\"not_before\":1900000000,\"not_after\":1700000000}", "not_before must be earlier than not_after")]
    [InlineData("{\"not_before\":1700000000,\"not_after\":1700000000}", "not_before must be earlier than not_after")]
    [InlineData("{\"alt_names\":[\"b\\u00fccher.example\"]}", "Subject alternative names must be IP addresses or ASCII DNS names")]
    [InlineData("{\"not_after\":18446744073709551615}", "not_after: 18446744073709551615 is past the last representable time")]
    [InlineData("{\"usage_ra_tls\":\"true\"}", "invalid type")]
    public async Task GetTlsKey_refuses_bad_options_with_a_clear_error(string body, string error)
    {
        await using var agent = await TestAgent.StartAsync();
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetTlsKey", body);
        Assert.Equal(400, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        Assert.StartsWith(error, json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tappd_DeriveKey_is_deterministic_and_byte_exact()
    {
        await using var agent = await TestAgent.StartAsync();
        const string expected = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9sHtlEiDlNeOCk5a\n"
            + "t11i6fCF1zsLVV0GFPuQyhPZRk2hRANCAATzZ6Uv0OjV+N7V/9AFegAIN4Cq4ZtK\n/NF7lrkzf2ntB8cPCLhxA9GLjoZejwV4rSjF9rQnWO6rR7BJgkjpwDas\n-----END PRIVATE KEY-----\n";
        for (var i = 0; i < 2; i++)
        {
            var response = await RawHttp.PostJsonAsync(agent.TappdSocket, "/prpc/Tappd.DeriveKey", "{\"path\":\"/\",\"subject\":\"/\",\"usage_ra_tls\":true}");
            Assert.Equal(200, response.Status);
            using var json = JsonDocument.Parse(response.Body);
            Assert.Equal(expected, json.RootElement.GetProperty("key").GetString());
            using var leaf = X509Certificate2.CreateFromPem(json.RootElement.GetProperty("certificate_chain")[0].GetString()!);
            using var ca = X509Certificate2.CreateFromPem(FixtureCa);
            CertificateAssert.SignedBy(leaf, ca);
            Assert.Equal("CN=/", leaf.Subject);
            var binding = RaTlsQuoteBinding.Check(RaTlsCertificate.Parse(leaf));
            Assert.True(binding.IsBound, binding.Problem);
            // report data from spec §9 for path "/"
            Assert.Equal("2bb982f467442c4d6ea3b1e3ccf09decc3e6f42b3f08cc9e749203a7cb7a20f15264c9d3ec45faaf81afb7a8bf28f3cff6adc0a8bf253718ce3055ff2d5bf6d6",
                Convert.ToHexStringLower(binding.Quote!.ReportData.Span));
            Assert.Equal(0, AttestationCodec.EncodeV0(binding.Attestation!)[0]);
        }

        var random = await RawHttp.PostJsonAsync(agent.TappdSocket, "/prpc/Tappd.DeriveKey", "{\"path\":\"/\",\"random_seed\":true}");
        using var randomJson = JsonDocument.Parse(random.Body);
        Assert.NotEqual(expected, randomJson.RootElement.GetProperty("key").GetString());
    }

    [Fact]
    public async Task With_a_kms_key_provider_an_unreachable_kms_is_a_400_that_names_it_and_app_cert_stays_empty()
    {
        await using var agent = TestAgent.Create();
        var url = "https://127.0.0.1:" + TcpPorts.GetFree().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await UseKmsKeyProviderAsync(agent, new System.Text.Json.Nodes.JsonObject { ["url"] = url });
        await agent.StartAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetTlsKey", "{}");
        Assert.Equal(400, response.Status);
        Assert.Contains($"cannot issue certificates: KMS {url}: SignCert: Unavailable: ", response.BodyText, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
        var info = await RawHttp.SendAsync(agent.DstackSocket, RawHttp.Request("GET", "/Info"));
        using var json = JsonDocument.Parse(info.Body);
        Assert.Equal("", json.RootElement.GetProperty("app_cert").GetString());
    }

    [Fact]
    public async Task A_kms_that_never_answers_is_a_400_after_the_connect_timeout_not_a_hang()
    {
        // accepts TCP connections and never says a word (not even the TLS handshake)
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<System.Net.Sockets.Socket>();
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                accepted.Add(await silent.AcceptSocketAsync());
            }
        });
        var url = "https://127.0.0.1:" + ((IPEndPoint)silent.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var agent = TestAgent.Create();
        agent.Config["Boot"] = new System.Text.Json.Nodes.JsonObject { ["KmsConnectTimeoutSeconds"] = 1, ["KmsCallTimeoutSeconds"] = 2 };
        await UseKmsKeyProviderAsync(agent, new System.Text.Json.Nodes.JsonObject { ["url"] = url });
        await agent.StartAsync();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetTlsKey", "{}");

        Assert.Equal(400, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal($"cannot issue certificates: KMS {url}: SignCert: Unavailable: Error connecting to the server: no connection within 1 s", json.RootElement.GetProperty("error").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), clock.Elapsed.ToString());
        Assert.NotEmpty(accepted);
        silent.Stop();
        foreach (var socket in accepted)
        {
            socket.Dispose();
        }

        await Assert.ThrowsAnyAsync<Exception>(() => accepting);
    }

    [Fact]
    public async Task Certificates_need_a_local_ca_or_a_kms_and_say_why_there_is_none()
    {
        await using var agent = TestAgent.Create();
        await UseKmsKeyProviderAsync(agent, []);
        await agent.StartAsync();
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetTlsKey", "{}");
        Assert.Equal(400, response.Status);
        Assert.Contains("cannot issue certificates: the key provider is a KMS but the app keys do not record its url", response.BodyText, StringComparison.Ordinal);
    }

    /// <summary>Rewrites the agent's keys file with a <c>Kms</c> key provider (its <c>ca_cert</c> stays the fixture's).</summary>
    private static async Task UseKmsKeyProviderAsync(TestAgent agent, System.Text.Json.Nodes.JsonObject kms)
    {
        var keysPath = Path.Combine(agent.Directory, "appkeys.json");
        var keys = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(keysPath))!;
        keys["key_provider"] = new System.Text.Json.Nodes.JsonObject { ["Kms"] = kms };
        await File.WriteAllTextAsync(keysPath, keys.ToJsonString());
    }
}
