using Dstack.Tests;

namespace Dstack.Gov.Tests.EndToEnd;

/// <summary><c>onchain.sh</c> start-up and tear-down: what it starts, that SIGTERM (its Ctrl-C path) leaves nothing behind.</summary>
public sealed class OnChainStackLifecycleTests
{
    [Fact]
    public async Task Stopping_the_script_stops_anvil_the_kms_and_the_agent_and_removes_the_sockets()
    {
        using var directory = new TempDirectory();
        await using var stack = await OnChainStackScript.StartAsync(Path.Combine(directory.Path, "stack"));
        var children = stack.Children();
        Assert.Equal(3, children.Count);
        Assert.Single(children, c => c.CommandLine.Contains("anvil --host 127.0.0.1", StringComparison.Ordinal));
        Assert.Single(children, c => c.CommandLine.Contains("dstack-kms.dll run --config", StringComparison.Ordinal));
        Assert.Single(children, c => c.CommandLine.Contains("dstack-agent.dll run --config", StringComparison.Ordinal));
        Assert.True(File.Exists(stack.DstackSocket));
        Assert.True(File.Exists(stack.TappdSocket));

        var exitCode = await stack.StopAsync();

        Assert.Equal(143, exitCode); // 128 + SIGTERM, after its trap ran
        Assert.Contains("Stopping the stack ...", stack.Output, StringComparison.Ordinal);
        foreach (var (pid, commandLine) in children)
        {
            Assert.False(Directory.Exists($"/proc/{pid}"), $"still running: {pid} {commandLine}");
        }

        Assert.False(File.Exists(stack.DstackSocket));
        Assert.False(File.Exists(stack.TappdSocket));
        Assert.False(File.Exists(Path.Combine(stack.StateDirectory, "onchain.pid")));

        // boot-vm needs the running stack
        var late = await OnChainStackScript.RunAsync("boot-vm", "late", "--state-dir", stack.StateDirectory);
        Assert.Equal(1, late.ExitCode);
        Assert.Contains("is not running", late.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_state_directory_it_did_not_create_and_leaves_it_alone()
    {
        using var directory = new TempDirectory();
        var precious = Path.Combine(directory.Path, "precious.txt");
        await File.WriteAllTextAsync(precious, "keep me");

        var run = await OnChainStackScript.RunAsync("--state-dir", directory.Path, "--anvil-port", "1", "--kms-port", "2");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is not empty and was not made by this script", run.Output, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(precious));
        Assert.Equal(["precious.txt"], Directory.GetFileSystemEntries(directory.Path).Select(Path.GetFileName));
    }
}
