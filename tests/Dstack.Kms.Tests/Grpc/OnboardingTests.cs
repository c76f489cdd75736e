using Dstack.Kms.Hosting;
using Dstack.Kms.Keys;
using Dstack.Rpc.Kms;
using Dstack.Tests;

namespace Dstack.Kms.Tests.Grpc;

/// <summary>A second KMS obtains the root keys from a running one over gRPC + RA-TLS (kms.md §2.3), both in-process on real Kestrel.</summary>
public sealed class OnboardingTests
{
    [Fact]
    public async Task An_instance_the_source_policy_allows_is_onboarded_and_serves_identical_app_keys()
    {
        await using var bed = await GrpcKmsBed.CreateAsync();
        var aMr = await bed.PrepareKmsTdAsync("a");
        var bMr = await bed.PrepareKmsTdAsync("b", "kms compose b");
        var policy = KmsTestBed.AllowingPolicy(kmsMrAggregated: [aMr, bMr]);
        var aPort = TcpPorts.GetFree();
        var a = await bed.StartKmsAsync(bed.WriteConfig("a", policy, aPort), aPort);
        var bPort = TcpPorts.GetFree();

        var b = await bed.StartKmsAsync(bed.WriteConfig("b", policy, bPort, onboardFrom: a.ToString()), bPort);

        var fromA = await GetAppKeyAsync(bed, a);
        var fromB = await GetAppKeyAsync(bed, b);
        var metaA = await bed.Connect(a).GetMetaAsync(GrpcKmsBed.Deadline());
        var metaB = await bed.Connect(b).GetMetaAsync(GrpcKmsBed.Deadline());
        Assert.Equal(fromA.DiskCryptKey, fromB.DiskCryptKey);
        Assert.Equal(fromA.EnvCryptKey, fromB.EnvCryptKey);
        Assert.Equal(fromA.K256Key, fromB.K256Key);
        Assert.Equal(fromA.K256Signature, fromB.K256Signature);
        Assert.Equal(metaA.K256Pubkey, metaB.K256Pubkey);
        Assert.Null(metaB.BootstrapInfo);
        Assert.False(File.Exists(Path.Combine(bed.KeyDirectory("b"), RootKeyFiles.BootstrapInfo)));
        Assert.True(File.Exists(Path.Combine(bed.KeyDirectory("b"), RootKeyFiles.RootK256Key)));
    }

    [Fact]
    public async Task An_instance_the_source_policy_does_not_allow_is_refused_with_the_reason_and_gets_no_keys()
    {
        await using var bed = await GrpcKmsBed.CreateAsync();
        var aMr = await bed.PrepareKmsTdAsync("a");
        await bed.PrepareKmsTdAsync("c", "some other kms build");
        var aPort = TcpPorts.GetFree();
        var a = await bed.StartKmsAsync(bed.WriteConfig("a", KmsTestBed.AllowingPolicy(kmsMrAggregated: [aMr]), aPort), aPort);
        var cPort = TcpPorts.GetFree();
        var config = bed.WriteConfig("c", KmsTestBed.AllowingPolicy(kmsMrAggregated: [aMr]), cPort, onboardFrom: a.ToString());

        var error = await Assert.ThrowsAsync<KmsStartupException>(() => bed.StartKmsAsync(config, cPort));

        Assert.Contains("PermissionDenied", error.Message, StringComparison.Ordinal);
        Assert.Contains("Boot denied: Aggregated MR not allowed", error.Message, StringComparison.Ordinal);
        Assert.Contains("mrAggregated", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(bed.KeyDirectory("c"), RootKeyFiles.RootCaKey)));
    }

    [Fact]
    public async Task A_source_this_instance_policy_does_not_trust_is_not_asked_for_keys()
    {
        await using var bed = await GrpcKmsBed.CreateAsync();
        var aMr = await bed.PrepareKmsTdAsync("a");
        var bMr = await bed.PrepareKmsTdAsync("b", "kms compose b");
        var aPort = TcpPorts.GetFree();
        var a = await bed.StartKmsAsync(bed.WriteConfig("a", KmsTestBed.AllowingPolicy(kmsMrAggregated: [aMr, bMr]), aPort), aPort);
        var bPort = TcpPorts.GetFree();
        var config = bed.WriteConfig("b", KmsTestBed.AllowingPolicy(kmsMrAggregated: [bMr]), bPort, onboardFrom: a.ToString());

        var error = await Assert.ThrowsAsync<KmsStartupException>(() => bed.StartKmsAsync(config, bPort));

        Assert.Contains("does not allow the source KMS", error.Message, StringComparison.Ordinal);
        Assert.Contains("Aggregated MR not allowed", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(bed.KeyDirectory("b"), RootKeyFiles.RootCaKey)));
    }

    [Fact]
    public async Task Onboarding_waits_for_a_source_that_is_not_up_yet()
    {
        await using var bed = await GrpcKmsBed.CreateAsync();
        var aMr = await bed.PrepareKmsTdAsync("a");
        var bMr = await bed.PrepareKmsTdAsync("b", "kms compose b");
        var policy = KmsTestBed.AllowingPolicy(kmsMrAggregated: [aMr, bMr]);
        var aPort = TcpPorts.GetFree();
        var bPort = TcpPorts.GetFree();
        var bConfig = bed.WriteConfig("b", policy, bPort, onboardFrom: $"https://127.0.0.1:{aPort}");

        // b starts first and keeps retrying; its start completes once a is up and has released the keys
        var bStarting = bed.StartKmsAsync(bConfig, bPort, TimeSpan.FromSeconds(120));
        var a = await bed.StartKmsAsync(bed.WriteConfig("a", policy, aPort), aPort);
        var b = await bStarting;

        var metaA = await bed.Connect(a).GetMetaAsync(GrpcKmsBed.Deadline());
        var metaB = await bed.Connect(b).GetMetaAsync(GrpcKmsBed.Deadline());
        Assert.Equal(metaA.K256Pubkey, metaB.K256Pubkey);
    }

    private static async Task<AppKeyResponse> GetAppKeyAsync(GrpcKmsBed bed, Uri kms)
    {
        var client = bed.Connect(kms, await bed.CallerCertificateAsync(kms));
        return await client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = KmsTestBed.VmConfig }, GrpcKmsBed.Deadline());
    }
}
