using Dstack.Tests;

namespace Dstack.Kms.Tests.Grpc;

/// <summary><c>dstack-kms run --config FILE</c> as a real process (<see cref="KmsProcess"/>), called over gRPC.</summary>
public sealed class KmsProcessTests
{
    [Fact]
    public async Task The_daemon_process_serves_GetMeta_over_grpc_and_keeps_its_keys_across_a_restart()
    {
        await using var bed = await GrpcKmsBed.CreateAsync();
        await bed.PrepareKmsTdAsync("p");
        var port = TcpPorts.GetFree();
        var config = bed.WriteConfig("p", KmsTestBed.AllowingPolicy(), port);

        byte[] first;
        await using (var kms = await KmsProcess.StartAsync(config))
        {
            var meta = await bed.Connect(kms.Address).GetMetaAsync(GrpcKmsBed.Deadline());
            var keys = await bed.Connect(kms.Address, await bed.CallerCertificateAsync(kms.Address))
                .GetAppKeyAsync(new Rpc.Kms.GetAppKeyRequest { ApiVersion = 1, VmConfig = KmsTestBed.VmConfig }, GrpcKmsBed.Deadline());
            Assert.Equal(33, meta.K256Pubkey.Length);
            Assert.Equal(meta.CaCert, keys.CaCert);
            first = meta.K256Pubkey.ToByteArray();
        }

        await using (var again = await KmsProcess.StartAsync(config))
        {
            var meta = await bed.Connect(again.Address).GetMetaAsync(GrpcKmsBed.Deadline());
            Assert.Equal(first, meta.K256Pubkey.ToByteArray());
            Assert.Equal(new Uri($"https://127.0.0.1:{port}"), again.Address);
        }
    }

    [Fact]
    public async Task A_daemon_that_cannot_start_exits_with_its_reason()
    {
        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "kms.json");
        File.WriteAllText(config, """{"Listen": {"Port": 0}, "Bogus": 1}""");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => KmsProcess.StartAsync(config));

        Assert.Contains("unknown configuration key 'Bogus'", error.Message, StringComparison.Ordinal);
    }
}
