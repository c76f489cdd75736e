using System.Text.RegularExpressions;
using Dstack.EndToEnd.Tests.Support;

namespace Dstack.EndToEnd.Tests;

/// <summary>A boot that starts before its KMS keeps trying and completes once the KMS is up.</summary>
public sealed partial class KmsDownTests : IDisposable
{
    private readonly SimulatedPlatform _platform = new();

    public void Dispose() => _platform.Dispose();

    [Fact]
    public async Task The_boot_retries_while_the_kms_is_down_and_completes_once_it_listens()
    {
        var node = await KmsNode.CreateAsync(_platform, "kms");
        node.Configure(PolicyFile.Allowing());
        var vm = new GuestVm(_platform, "vm");
        vm.SetKmsUrls(node.Url);

        await using var boot = vm.StartBoot();
        // two failed passes over the (only) URL, each logged with the step and the connection error
        var failed = FailedAttempt();
        var second = await boot.WaitForLineAsync(failed, "a second failed KMS attempt", TimeSpan.FromSeconds(30), occurrence: 2);
        Assert.Equal(node.Url, second.Groups["url"].Value);
        Assert.Equal("GetTempCaCert", second.Groups["step"].Value);
        Assert.Contains("retrying in", boot.Output, StringComparison.Ordinal);
        Assert.False(boot.HasExited);
        Assert.False(File.Exists(vm.AppKeysPath));

        await using var kms = await node.StartAsync();
        var code = await boot.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, boot.Output);
        Assert.Contains($"KMS {node.Url} released the app keys", boot.Output, StringComparison.Ordinal);
        using var connection = KmsNode.Connect(kms);
        var meta = await connection.Client.GetMetaAsync(KmsConnection.Deadline());
        Assert.Equal(meta.K256Pubkey.ToByteArray(), KmsSignatureCheck.RecoverKmsSigner(vm.ReadKeys(), E2eApp.AppIdOf(E2eApp.Compose)));
    }

    [GeneratedRegex(@"KMS (?<url>https://\S+): (?<step>[A-Za-z ]+) failed: ")]
    private static partial Regex FailedAttempt();
}
