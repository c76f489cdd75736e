using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dstack.Agent.Boot;
using Dstack.Agent.Tests.Support;
using Dstack.Attestation.Simulation;
using Dstack.Crypto.Edwards;
using Dstack.Crypto.EnvEncryption;
using Dstack.Crypto.Kdf;
using Dstack.Crypto.Secp256k1;

namespace Dstack.Agent.Tests.Boot;

public sealed class BootSequenceTests : IDisposable
{
    private static readonly string[] FullOrder =
    [
        "system-preparing", "app-id", "compose-hash", "instance-id", "boot-mr-done", "os-image-hash", "key-provider", "storage-fs", "system-ready",
    ];

    private readonly BootTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public async Task Boot_measures_the_app_gets_keys_over_ra_tls_and_writes_env_disk_and_keys()
    {
        await using var kms = await StartKmsAsync();
        _bed.SetKmsUrls(kms.Url);
        var envKey = KmsKeyDerivation.DeriveEnvCryptKey(kms.RootCaScalar, _bed.AppId);
        File.WriteAllBytes(_bed.EncryptedEnvPath, EnvCipher.Encrypt(X25519.GetPublicKey(envKey), EnvDocument.Serialize(
        [
            new EnvVariable("API_TOKEN", "s3cret value"), new EnvVariable("GREETING", "hello"), new EnvVariable("NOT_ALLOWED", "dropped-value"),
        ])));

        var outcome = await _bed.BootAsync();

        Assert.False(outcome.AlreadyBooted);
        Assert.Equal(FullOrder.Length, outcome.EventsEmitted);

        // events: order and payloads
        var events = await _bed.RuntimeEventsAsync();
        Assert.Equal(FullOrder, events.Select(e => e.Name));
        using var instanceInfo = JsonDocument.Parse(File.ReadAllBytes(_bed.InstanceInfoPath));
        var seed = Convert.FromHexString(instanceInfo.RootElement.GetProperty("instance_id_seed").GetString()!);
        var instanceId = SHA256.HashData([.. seed, .. _bed.AppId])[..20];
        Assert.Equal(Convert.ToHexStringLower(instanceId), instanceInfo.RootElement.GetProperty("instance_id").GetString());
        Assert.Equal(Convert.ToHexStringLower(_bed.AppId), instanceInfo.RootElement.GetProperty("app_id").GetString());
        Assert.Empty(events[0].Payload);
        Assert.Equal(_bed.AppId, events[1].Payload);
        Assert.Equal(_bed.ComposeHash, events[2].Payload);
        Assert.Equal(instanceId, events[3].Payload);
        Assert.Empty(events[4].Payload);
        Assert.Equal(Convert.FromHexString(BootTestBed.OsImageHash), events[5].Payload);
        Assert.Equal("{\"name\":\"kms\",\"id\":\"" + Convert.ToHexStringLower(kms.RootCaSubjectPublicKeyInfo) + "\"}", Encoding.UTF8.GetString(events[6].Payload));
        Assert.Equal("ext4"u8.ToArray(), events[7].Payload);
        Assert.Empty(events[8].Payload);

        // RTMR3 replay equals a fresh quote, which verifies under the simulated root
        using (var td = SimulatedTd.Open(_bed.StateDirectory))
        {
            var quote = SimulatedRoot.AssertVerifies(_bed.StateDirectory, await td.Device.GetQuoteAsync(new byte[64], CancellationToken.None));
            SimulatedRoot.AssertReplays(await td.ReadEventLogAsync(CancellationToken.None), quote);
        }

        // the KMS saw an RA-TLS client certificate from the temp CA whose quote binds its key and verifies
        var call = Assert.Single(kms.Calls);
        Assert.Equal("CN=RA-TLS TEMP Cert", call.Subject);
        Assert.Equal(kms.TempCa.Subject, call.Issuer);
        Assert.True(call.BoundToCertificateKey);
        Assert.True(call.QuoteVerified);
        Assert.True(call.Rtmr3Replays);
        Assert.Equal(FullOrder[..5], call.EventNames);
        Assert.Equal(BootTestBed.VmConfig, call.VmConfig);

        // keys file: exact format, mode 0600, readable by the socket API
        var expected = KmsKeyDerivation.DeriveAppKeys(LibSecp256k1.Instance, kms.RootCaScalar, kms.K256RootKey, _bed.AppId, instanceId);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_bed.AppKeysPath));
        using var keys = JsonDocument.Parse(File.ReadAllBytes(_bed.AppKeysPath));
        var root = keys.RootElement;
        Assert.Equal(["disk_crypt_key", "env_crypt_key", "k256_key", "k256_signature", "gateway_app_id", "ca_cert", "key_provider"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Convert.ToHexStringLower(expected.DiskCryptKey.Span), root.GetProperty("disk_crypt_key").GetString());
        Assert.Equal(Convert.ToHexStringLower(expected.EnvCryptKey.Span), root.GetProperty("env_crypt_key").GetString());
        Assert.Equal(Convert.ToHexStringLower(expected.K256Key.Span), root.GetProperty("k256_key").GetString());
        Assert.Equal(Convert.ToHexStringLower(expected.K256Signature.Span), root.GetProperty("k256_signature").GetString());
        Assert.Equal("test-gateway", root.GetProperty("gateway_app_id").GetString());
        Assert.Equal(kms.RootCa.ExportCertificatePem() + "\n", root.GetProperty("ca_cert").GetString());
        var provider = root.GetProperty("key_provider").GetProperty("Kms");
        Assert.Equal(kms.Url, provider.GetProperty("url").GetString());
        Assert.Equal(Convert.ToHexStringLower(kms.RootCaSubjectPublicKeyInfo), provider.GetProperty("pubkey").GetString());
        Assert.Equal(kms.TempCa.ExportCertificatePem() + "\n", provider.GetProperty("tmp_ca_cert").GetString());
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", provider.GetProperty("tmp_ca_key").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", File.ReadAllText(_bed.AppKeysPath), StringComparison.Ordinal);

        // env: decrypted, only allowed_envs kept, dropped names logged without values
        Assert.Equal("API_TOKEN=\"s3cret value\"\nGREETING=hello\n", File.ReadAllText(_bed.DecryptedEnvPath));
        Assert.Equal("{\"API_TOKEN\":\"s3cret value\",\"GREETING\":\"hello\"}", File.ReadAllText(_bed.DecryptedEnvJsonPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_bed.DecryptedEnvPath));
        Assert.Contains(_bed.Logs.Entries, l => l.Message.Contains("NOT_ALLOWED", StringComparison.Ordinal));
        Assert.DoesNotContain(_bed.Logs.Entries, l => l.Message.Contains("dropped-value", StringComparison.Ordinal) || l.Message.Contains("s3cret", StringComparison.Ordinal));

        // storage stand-in: hex disk key on stdin without newline, fs and encryption in its environment
        Assert.Equal(Convert.ToHexStringLower(expected.DiskCryptKey.Span), File.ReadAllText(_bed.StorageStdinPath));
        Assert.Equal("ext4 1", File.ReadAllText(_bed.StorageEnvPath));
        var keyHex = Convert.ToHexStringLower(expected.DiskCryptKey.Span);
        Assert.DoesNotContain(_bed.Logs.Entries, l => l.Message.Contains(keyHex, StringComparison.Ordinal));

        // a second run finds the boot complete: nothing measured, nothing fetched
        var again = await _bed.BootAsync();
        Assert.True(again.AlreadyBooted);
        Assert.Equal(0, again.EventsEmitted);
        Assert.Single(kms.Calls);
        Assert.Equal(FullOrder, (await _bed.RuntimeEventsAsync()).Select(e => e.Name));
    }

    [Fact]
    public async Task Boot_waits_for_a_kms_that_is_down_and_succeeds_when_it_comes_up()
    {
        var port = TestKms.FreePort();
        _bed.SetKmsUrls("https://localhost:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var boot = _bed.BootAsync();

        // wait (bounded, not asserted on time) until the boot has logged a failed attempt, then bring the KMS up
        using (var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            while (!_bed.Logs.Entries.Any(l => l.EventId.Id == 104) && !boot.IsCompleted)
            {
                await Task.Delay(20, guard.Token);
            }
        }

        Assert.False(boot.IsCompleted);
        Assert.Contains(_bed.Logs.Entries, l => l.EventId.Id == 103 && l.Message.Contains("GetTempCaCert", StringComparison.Ordinal)
            && l.Message.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        await using var kms = await StartKmsAsync(port);
        var outcome = await boot;

        Assert.False(outcome.AlreadyBooted);
        Assert.Equal(FullOrder, (await _bed.RuntimeEventsAsync()).Select(e => e.Name));
        Assert.True(File.Exists(_bed.AppKeysPath));
    }

    [Fact]
    public async Task A_kms_that_gives_up_waiting_fails_the_boot_naming_the_step_and_url()
    {
        var port = TestKms.FreePort();
        var url = "https://localhost:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _bed.SetKmsUrls(url);

        var error = await Assert.ThrowsAsync<BootException>(() => _bed.BootAsync(new Dictionary<string, string?> { ["Boot:KmsRetryTimeoutSeconds"] = "1" }));

        Assert.Equal(KmsKeyAcquisition.Step, error.Step);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.Contains("GetTempCaCert", error.Message, StringComparison.Ordinal);
        Assert.Equal(FullOrder[..5], (await _bed.RuntimeEventsAsync()).Select(e => e.Name));
    }

    [Fact]
    public async Task A_refusing_kms_fails_the_boot_with_its_reason_and_nothing_is_written()
    {
        await using var kms = await StartKmsAsync();
        kms.DenyReason = "compose hash is not allowed by the policy";
        _bed.SetKmsUrls(kms.Url);

        var error = await Assert.ThrowsAsync<BootException>(() => _bed.BootAsync());

        Assert.Equal(KmsKeyAcquisition.Step, error.Step);
        Assert.Contains("PermissionDenied: compose hash is not allowed by the policy", error.Message, StringComparison.Ordinal);
        Assert.Contains(kms.Url, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_bed.AppKeysPath));
        Assert.False(File.Exists(_bed.DecryptedEnvPath));
        Assert.False(File.Exists(_bed.StorageStdinPath));
        Assert.Equal(FullOrder[..5], (await _bed.RuntimeEventsAsync()).Select(e => e.Name));
    }

    [Fact]
    public async Task A_restart_after_a_failed_step_resumes_without_extending_any_event_twice()
    {
        await using var kms = await StartKmsAsync();
        _bed.SetKmsUrls(kms.Url);
        _bed.StorageExitCode = 3;

        var error = await Assert.ThrowsAsync<BootException>(() => _bed.BootAsync());
        Assert.Equal(StorageStep.Step, error.Step);
        Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("stand-in storage says hello", error.Message, StringComparison.Ordinal);
        Assert.Equal(FullOrder[..7], (await _bed.RuntimeEventsAsync()).Select(e => e.Name));
        Assert.False(File.Exists(_bed.AppKeysPath));

        _bed.StorageExitCode = 0;
        var outcome = await _bed.BootAsync();

        Assert.Equal(2, outcome.EventsEmitted);
        Assert.Equal(FullOrder, (await _bed.RuntimeEventsAsync()).Select(e => e.Name));
        Assert.Equal(2, kms.Calls.Count);
        Assert.True(File.Exists(_bed.AppKeysPath));
        using var td = SimulatedTd.Open(_bed.StateDirectory);
        var quote = SimulatedRoot.AssertVerifies(_bed.StateDirectory, await td.Device.GetQuoteAsync(new byte[64], CancellationToken.None));
        SimulatedRoot.AssertReplays(await td.ReadEventLogAsync(CancellationToken.None), quote);
    }

    [Fact]
    public async Task After_key_provider_is_measured_a_kms_with_another_root_ca_is_refused()
    {
        await using (var first = await StartKmsAsync())
        {
            _bed.SetKmsUrls(first.Url);
            _bed.StorageExitCode = 1;
            await Assert.ThrowsAsync<BootException>(() => _bed.BootAsync());
        }

        await using var other = await StartKmsAsync();
        _bed.SetKmsUrls(other.Url);
        _bed.StorageExitCode = 0;

        var error = await Assert.ThrowsAsync<BootException>(() => _bed.BootAsync());

        Assert.Equal(KmsKeyAcquisition.Step, error.Step);
        Assert.Contains("not the KMS this VM measured in its key-provider event", error.Message, StringComparison.Ordinal);
        Assert.Empty(other.Calls);
        Assert.Equal(FullOrder[..7], (await _bed.RuntimeEventsAsync()).Select(e => e.Name));
        Assert.False(File.Exists(_bed.AppKeysPath));
    }

    [Fact]
    public async Task A_compose_changed_after_it_was_measured_stops_the_boot()
    {
        await using var kms = await StartKmsAsync();
        kms.DenyReason = "not yet";
        _bed.SetKmsUrls(kms.Url);
        await Assert.ThrowsAsync<BootException>(() => _bed.BootAsync());

        File.AppendAllText(_bed.ComposePath, "\n");
        kms.DenyReason = null;
        var error = await Assert.ThrowsAsync<BootException>(() => _bed.BootAsync());

        Assert.Equal("measure compose-hash", error.Step);
        Assert.Contains("RTMR3 cannot be rewound", error.Message, StringComparison.Ordinal);
        Assert.Equal(FullOrder[..5], (await _bed.RuntimeEventsAsync()).Select(e => e.Name));
    }

    private async Task<TestKms> StartKmsAsync(int port = 0)
    {
        using (SimulatedTd.Open(_bed.StateDirectory))
        {
            // creates the TD (and its mock DCAP seed) on first use
        }

        return await TestKms.StartAsync(new MockDcapPki(MockAttestationSeed.Load(_bed.StateDirectory)), port);
    }
}
