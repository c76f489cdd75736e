using Dstack.EndToEnd.Tests.Support;

namespace Dstack.EndToEnd.Tests;

/// <summary>A second KMS onboarded from the first (<c>Onboarding:SourceUrl</c>) serves the same app keys.</summary>
public sealed class OnboardingTests : IDisposable
{
    private readonly SimulatedPlatform _platform = new();

    public void Dispose() => _platform.Dispose();

    [Fact]
    public async Task A_vm_booted_against_an_onboarded_kms_gets_the_keys_the_first_kms_gave()
    {
        var first = await KmsNode.CreateAsync(_platform, "kms1", "kms compose");
        var second = await KmsNode.CreateAsync(_platform, "kms2", "kms compose, second build");
        Assert.NotEqual(first.MrAggregated, second.MrAggregated);
        var policy = PolicyFile.Allowing();
        policy.KmsMrAggregated.AddRange([first.MrAggregated, second.MrAggregated]);
        first.Configure(policy);
        second.Configure(policy, onboardFrom: first.Url);

        // two VMs of the same app and the same instance seed (the same instance, booted twice)
        var seed = "{\"instance_id_seed\":\"" + new string('5', 40) + "\"}";
        var vm1 = new GuestVm(_platform, "vm1");
        var vm2 = new GuestVm(_platform, "vm2");
        File.WriteAllText(vm1.InstanceInfoPath, seed);
        File.WriteAllText(vm2.InstanceInfoPath, seed);
        vm1.SetKmsUrls(first.Url);
        vm2.SetKmsUrls(second.Url);

        await using var kms1 = await first.StartAsync();
        var booting = vm1.BootAsync();
        await using var kms2 = await second.StartAsync();
        await using (var boot = await booting)
        {
            Assert.True(boot.ExitCode == 0, boot.Output);
        }

        var fromFirst = vm1.ReadKeys();
        byte[] firstRoot;
        using (var connection = KmsNode.Connect(kms1))
        {
            firstRoot = (await connection.Client.GetMetaAsync(KmsConnection.Deadline())).K256Pubkey.ToByteArray();
        }

        // the first KMS is gone: the second serves on its own
        await kms1.DisposeAsync();
        await using var secondBoot = await vm2.BootAsync();
        Assert.True(secondBoot.ExitCode == 0, secondBoot.Output);
        using var secondConnection = KmsNode.Connect(kms2);
        var meta = await secondConnection.Client.GetMetaAsync(KmsConnection.Deadline());
        var fromSecond = vm2.ReadKeys();

        Assert.Null(meta.BootstrapInfo); // onboarded, not bootstrapped
        Assert.Equal(firstRoot, meta.K256Pubkey.ToByteArray());
        Assert.Equal(vm1.InstanceId(), vm2.InstanceId());
        Assert.Equal(second.Url, fromSecond.KmsUrl);
        Assert.Equal(fromFirst.K256Key, fromSecond.K256Key);
        Assert.Equal(fromFirst.K256Signature, fromSecond.K256Signature);
        Assert.Equal(fromFirst.DiskCryptKey, fromSecond.DiskCryptKey);
        Assert.Equal(fromFirst.EnvCryptKey, fromSecond.EnvCryptKey);
        Assert.Equal(fromFirst.KmsRootCaPublicKey, fromSecond.KmsRootCaPublicKey);
        Assert.Equal(firstRoot, KmsSignatureCheck.RecoverKmsSigner(fromSecond, E2eApp.AppIdOf(E2eApp.Compose)));
    }
}
