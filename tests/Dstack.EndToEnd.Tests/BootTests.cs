using System.Security.Cryptography.X509Certificates;
using Dstack.EndToEnd.Tests.Support;

namespace Dstack.EndToEnd.Tests;

/// <summary><c>dstack-agent boot</c> against a real <c>dstack-kms</c> process with a file policy.</summary>
public sealed class BootTests : IDisposable
{
    private readonly SimulatedPlatform _platform = new();

    public void Dispose() => _platform.Dispose();

    [Fact]
    public async Task An_allowed_app_boots_and_its_keys_are_signed_by_the_kms_k256_root_key()
    {
        var node = await KmsNode.CreateAsync(_platform, "kms");
        node.Configure(PolicyFile.Allowing());
        await using var kms = await node.StartAsync();
        var vm = new GuestVm(_platform, "vm");
        vm.SetKmsUrls(node.Url);

        await using var boot = await vm.BootAsync();

        Assert.True(boot.ExitCode == 0, boot.Output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(vm.AppKeysPath));
        var keys = vm.ReadKeys();
        using var connection = KmsNode.Connect(kms);
        var meta = await connection.Client.GetMetaAsync(KmsConnection.Deadline());
        Assert.Equal(33, meta.K256Pubkey.Length);
        Assert.Equal(32, keys.K256Key.Length);
        Assert.Equal(65, keys.K256Signature.Length);
        Assert.Equal(meta.K256Pubkey.ToByteArray(), KmsSignatureCheck.RecoverKmsSigner(keys, E2eApp.AppIdOf(E2eApp.Compose)));

        // the key provider the VM recorded is this KMS: its URL and the public key of the root CA GetMeta reports
        using var rootCa = X509Certificate2.CreateFromPem(meta.CaCert);
        Assert.Equal(node.Url, keys.KmsUrl);
        Assert.Equal(rootCa.PublicKey.ExportSubjectPublicKeyInfo(), keys.KmsRootCaPublicKey);
        Assert.Equal(E2eApp.GatewayAppId, keys.GatewayAppId);
        Assert.Equal(32, keys.DiskCryptKey.Length);
        Assert.Equal(32, keys.EnvCryptKey.Length);
        Assert.Contains($"KMS {node.Url} released the app keys", boot.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_compose_hash_not_in_the_policy_is_refused_with_the_kms_reason_and_no_keys_are_written()
    {
        var node = await KmsNode.CreateAsync(_platform, "kms");
        node.Configure(PolicyFile.Allowing());
        await using var kms = await node.StartAsync();
        // same app id (pinned in .instance_info), but the compose the VM runs is not the one the policy allows
        var vm = new GuestVm(_platform, "vm", E2eApp.OtherCompose);
        File.WriteAllText(vm.InstanceInfoPath, $"{{\"app_id\":\"{Convert.ToHexStringLower(E2eApp.AppIdOf(E2eApp.Compose))}\"}}");
        vm.SetKmsUrls(node.Url);

        await using var boot = await vm.BootAsync();

        Assert.Equal(1, boot.ExitCode);
        Assert.Contains("dstack-agent boot: boot step 'request app keys' failed", boot.Output, StringComparison.Ordinal);
        Assert.Contains("PermissionDenied: Boot denied: Compose hash not allowed", boot.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(vm.AppKeysPath));
    }
}
