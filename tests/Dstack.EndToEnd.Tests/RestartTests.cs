using Dstack.EndToEnd.Tests.Support;

namespace Dstack.EndToEnd.Tests;

/// <summary>The keys of an app survive restarts of both the KMS (same key store) and the VM (same instance seed).</summary>
public sealed class RestartTests : IDisposable
{
    private readonly SimulatedPlatform _platform = new();

    public void Dispose() => _platform.Dispose();

    [Fact]
    public async Task After_the_kms_and_the_vm_restart_the_vm_gets_the_same_app_keys()
    {
        var node = await KmsNode.CreateAsync(_platform, "kms");
        node.Configure(PolicyFile.Allowing());
        var vm = new GuestVm(_platform, "vm");
        vm.SetKmsUrls(node.Url);

        AppKeys first;
        byte[] firstRoot;
        int firstPid;
        await using (var kms = await node.StartAsync())
        {
            await using var boot = await vm.BootAsync();
            Assert.True(boot.ExitCode == 0, boot.Output);
            first = vm.ReadKeys();
            using var connection = KmsNode.Connect(kms);
            firstRoot = (await connection.Client.GetMetaAsync(KmsConnection.Deadline())).K256Pubkey.ToByteArray();
            firstPid = kms.ProcessId;
        }

        var instanceId = vm.InstanceId();
        vm.Reboot();
        Assert.False(File.Exists(vm.AppKeysPath));

        await using (var kms = await node.StartAsync())
        {
            Assert.NotEqual(firstPid, kms.ProcessId);
            await using var boot = await vm.BootAsync();
            Assert.True(boot.ExitCode == 0, boot.Output);

            // a fresh TD: every boot event was measured by this run, none found already measured
            Assert.Contains("Boot complete: 9 events measured by this run", boot.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("already measured", boot.Output, StringComparison.Ordinal);
            var again = vm.ReadKeys();
            using var connection = KmsNode.Connect(kms);
            var meta = await connection.Client.GetMetaAsync(KmsConnection.Deadline());

            Assert.Equal(instanceId, vm.InstanceId());
            Assert.Equal(firstRoot, meta.K256Pubkey.ToByteArray());
            Assert.Equal(first.K256Key, again.K256Key);
            Assert.Equal(first.K256Signature, again.K256Signature);
            Assert.Equal(first.DiskCryptKey, again.DiskCryptKey);
            Assert.Equal(first.EnvCryptKey, again.EnvCryptKey);
            Assert.Equal(first.KmsRootCaPublicKey, again.KmsRootCaPublicKey);
            Assert.Equal(firstRoot, KmsSignatureCheck.RecoverKmsSigner(again, E2eApp.AppIdOf(E2eApp.Compose)));
        }
    }
}
