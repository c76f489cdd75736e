using System.Net;
using System.Net.Sockets;
using Dstack.LocalStack.Tests.Support;

namespace Dstack.LocalStack.Tests;

/// <summary>Every mistake ends with one clear line on standard error and a non-zero exit code, never a stack trace.</summary>
public sealed class LocalStackErrorTests
{
    [Theory]
    [InlineData("xyz")]
    [InlineData("5b5b")]
    [InlineData("0x5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5g")]
    public async Task A_bad_app_id_is_refused_before_anything_starts(string appId)
    {
        await using var stack = LocalStackRun.Create();
        Assert.Equal(2, await stack.RunAsync(appId: appId));
        Assert.Equal($"dstack-local: --app-id must be 20 bytes of hex (40 hex digits, optional 0x), got '{appId}'", stack.Error.Trim());
        Assert.False(Directory.Exists(stack.VmDirectory));
    }

    [Fact]
    public async Task A_kms_config_that_is_missing_or_not_json_is_named()
    {
        await using var stack = LocalStackRun.Create();
        var missing = Path.Combine(stack.Directory, "none.json");
        Assert.Equal(2, await stack.RunAsync(kmsConfig: missing));
        Assert.Equal($"dstack-local: --kms-config: {missing} does not exist", stack.Error.Trim());

        var broken = Path.Combine(stack.Directory, "broken.json");
        await File.WriteAllTextAsync(broken, "{\"Policy\": ");
        Assert.Equal(2, await stack.RunAsync(kmsConfig: broken));
        Assert.StartsWith($"dstack-local: --kms-config: {broken} is not a JSON object of dstack-kms configuration keys", stack.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stack.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_or_invalid_kms_keys_are_reported_by_the_kms_validation()
    {
        await using var stack = LocalStackRun.Create();
        var config = Path.Combine(stack.Directory, "kms.json");
        await File.WriteAllTextAsync(config, "{\"Policy\": {\"Kind\": \"onchain\", \"RpcUrls\": [\"http://127.0.0.1:1\"]}, \"Polcy\": 1}");
        Assert.Equal(2, await stack.RunAsync(kmsConfig: config));
        Assert.Contains("dstack-kms: invalid configuration:", stack.Error, StringComparison.Ordinal);
        Assert.Contains("unknown configuration key 'Polcy'", stack.Error, StringComparison.Ordinal);
        Assert.Contains("Policy:ChainId is required when Policy:Kind is onchain", stack.Error, StringComparison.Ordinal);
        // the on-chain policy replaced the embedded file policy: its Path is not carried over into the merged keys
        Assert.DoesNotContain("Policy:Path", stack.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stack.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listener_the_vm_cannot_reach_is_refused()
    {
        await using var stack = LocalStackRun.Create();
        var config = Path.Combine(stack.Directory, "kms.json");
        await File.WriteAllTextAsync(config, "{\"Listen\": {\"Domain\": \"kms.example.com\"}}");
        Assert.Equal(2, await stack.RunAsync(kmsConfig: config));
        Assert.StartsWith("dstack-local: --kms-config: Listen:Domain must stay 'localhost'", stack.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kms_port_in_use_is_one_line()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        await using var stack = LocalStackRun.Create();
        Assert.Equal(1, await stack.RunAsync(kmsPort: port));
        var line = Assert.Single(stack.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("dstack-kms: ", line, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("in use", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_where_a_socket_goes_is_named()
    {
        await using var stack = LocalStackRun.Create();
        Directory.CreateDirectory(stack.DstackSocket);
        Assert.Equal(1, await stack.RunAsync());
        var line = Assert.Single(stack.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("dstack-agent: ", line, StringComparison.Ordinal);
        Assert.Contains(stack.DstackSocket, line, StringComparison.Ordinal);
    }
}
