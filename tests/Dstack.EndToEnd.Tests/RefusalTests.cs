using Dstack.EndToEnd.Tests.Support;
using Dstack.Rpc;
using Dstack.Rpc.Kms;
using Dstack.Tests;

namespace Dstack.EndToEnd.Tests;

/// <summary>
/// The real KMS process refuses callers whose attestation does not hold, and says why: crafted RA-TLS clients (a
/// malicious guest) and real <c>dstack-agent boot</c> runs on a platform the KMS does not trust.
/// </summary>
public sealed class RefusalTests(RefusalFixture fixture) : IClassFixture<RefusalFixture>
{
    [Fact]
    public async Task An_honest_crafted_client_gets_keys_signed_by_the_kms_root()
    {
        // the control for the crafted refusals below: the same client, nothing tampered, is served
        using var connection = await ConnectAsync();

        var keys = await connection.Client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = E2eApp.VmConfig }, KmsConnection.Deadline());

        using var plain = KmsNode.Connect(fixture.Kms);
        var meta = await plain.Client.GetMetaAsync(KmsConnection.Deadline());
        var appKeys = new AppKeys(keys.DiskCryptKey.ToByteArray(), keys.EnvCryptKey.ToByteArray(), keys.K256Key.ToByteArray(), keys.K256Signature.ToByteArray(), keys.GatewayAppId, keys.CaCert, "", []);
        Assert.Equal(E2eApp.GatewayAppId, keys.GatewayAppId);
        Assert.Equal(meta.K256Pubkey.ToByteArray(), KmsSignatureCheck.RecoverKmsSigner(appKeys, E2eApp.AppIdOf(E2eApp.Compose)));
    }

    [Fact]
    public async Task A_tampered_quote_is_refused_because_its_signature_does_not_verify()
    {
        using var connection = await ConnectAsync(tamperQuote: quote =>
        {
            quote[48 + 136] ^= 0x01; // one bit of MRTD in the signed TD report body
            return quote;
        });

        var error = await GetAppKeyRefusedAsync(connection);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("quote verification failed (trust root 'Mock Intel SGX Root CA'): ISV enclave report signature is invalid", error.Detail);
    }

    [Fact]
    public async Task A_certificate_whose_key_the_quote_does_not_bind_is_refused()
    {
        using var connection = await ConnectAsync(bindOtherKey: true);

        var error = await GetAppKeyRefusedAsync(connection);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.StartsWith("report data mismatch: ", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_debug_td_is_refused()
    {
        using var connection = await ConnectAsync(debug: true);

        var error = await GetAppKeyRefusedAsync(connection);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("Debug mode is not allowed: the TD has the DEBUG attribute", error.Detail);
    }

    [Fact]
    public async Task A_vm_of_another_simulated_platform_is_refused_by_the_kms_trust_root()
    {
        using var foreign = new SimulatedPlatform();
        var vm = new GuestVm(foreign, "vm");
        vm.SetKmsUrls(fixture.Node.Url);

        await using var boot = await vm.BootAsync();

        Assert.Equal(1, boot.ExitCode);
        Assert.Contains("request app keys' failed: KMS " + fixture.Node.Url + ": GetAppKey: Unauthenticated: quote verification failed (trust root 'Mock Intel SGX Root CA'): " +
            "Failed to verify certificate chain: chain does not end at the trust root 'Mock Intel SGX Root CA'", boot.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(vm.AppKeysPath));
    }

    [Fact]
    public async Task A_kms_trusting_the_intel_root_refuses_a_simulated_vm()
    {
        var vm = new GuestVm(fixture.Platform, "vm-for-intel-kms");
        vm.SetKmsUrls(fixture.IntelNode.Url);

        await using var boot = await vm.BootAsync();

        // the KMS runs on the simulated platform too: its own quote does not verify under Intel's root, so
        // self-authorization refuses every key release before the VM's quote is even looked at
        Assert.Equal(1, boot.ExitCode);
        Assert.Contains("request app keys' failed: KMS " + fixture.IntelNode.Url + ": GetAppKey: PermissionDenied: KMS not allowed: its own attestation does not verify: " +
            "quote verification failed (trust root 'Intel SGX Root CA'): PCK chain: chain does not end at the trust root 'Intel SGX Root CA'", boot.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(vm.AppKeysPath));
    }

    [Fact]
    public async Task A_kms_that_is_not_itself_allowed_refuses_the_boot_with_its_reason_and_releases_nothing()
    {
        var vm = new GuestVm(fixture.Platform, "vm-for-unlisted-kms");
        vm.SetKmsUrls(fixture.UnlistedNode.Url);
        using var plain = KmsNode.Connect(fixture.UnlistedKms);

        await using var boot = await vm.BootAsync();
        var meta = await plain.Client.GetMetaAsync(KmsConnection.Deadline());

        Assert.Equal(1, boot.ExitCode);
        Assert.Contains("request app keys' failed: KMS " + fixture.UnlistedNode.Url + ": GetAppKey: PermissionDenied: KMS not allowed: Aggregated MR not allowed",
            boot.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(vm.AppKeysPath));
        // the public RPCs keep working, and the KMS says why it refuses
        Assert.Equal(33, meta.K256Pubkey.Length);
        Assert.Contains("Self-authorization: this KMS is not allowed (Denied), refusing every key release: Aggregated MR not allowed (app 7777777777777777777777777777777777777777, mrAggregated "
            + fixture.UnlistedNode.MrAggregated, fixture.UnlistedKms.Output, StringComparison.Ordinal);
        Assert.Contains("GetAppKey refused (Denied): KMS not allowed: Aggregated MR not allowed", fixture.UnlistedKms.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("released keys", fixture.UnlistedKms.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_app_on_a_device_its_policy_does_not_list_is_refused()
    {
        using var connection = await ConnectAsync(kms: fixture.DeviceKms);

        var error = await GetAppKeyRefusedAsync(connection);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("Boot denied: Device not allowed", error.Detail);
        Assert.DoesNotContain("released keys", fixture.DeviceKms.Output, StringComparison.Ordinal);
    }

    private async Task<KmsConnection> ConnectAsync(Func<byte[], byte[]>? tamperQuote = null, bool bindOtherKey = false, bool debug = false, KmsProcess? kms = null)
    {
        kms ??= fixture.Kms;
        GetTempCaCertResponse temp;
        using (var plain = KmsNode.Connect(kms))
        {
            temp = await plain.Client.GetTempCaCertAsync(KmsConnection.Deadline());
        }

        var certificate = await RaTlsCaller.CreateCertificateAsync(fixture.Caller, E2eApp.VmConfig, tamperQuote, bindOtherKey, debug, (temp.TempCaCert, temp.TempCaKey));
        return KmsNode.Connect(kms, certificate);
    }

    private static Task<RpcException> GetAppKeyRefusedAsync(KmsConnection connection) =>
        Assert.ThrowsAsync<RpcException>(() => connection.Client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = E2eApp.VmConfig }, KmsConnection.Deadline()));
}
