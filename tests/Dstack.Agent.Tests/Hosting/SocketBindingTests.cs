using System.Diagnostics;
using System.Net.Sockets;
using Dstack.Agent.Hosting;
using Dstack.Agent.Tests.Support;

namespace Dstack.Agent.Tests.Hosting;

public sealed class SocketBindingTests
{
    [Fact]
    public async Task Sockets_are_created_with_mode_0660_and_removed_at_shutdown()
    {
        var agent = await TestAgent.StartAsync();
        await using (agent)
        {
            var expected = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
            Assert.Equal(expected, File.GetUnixFileMode(agent.DstackSocket));
            Assert.Equal(expected, File.GetUnixFileMode(agent.TappdSocket));
            Assert.Empty(Directory.GetDirectories(agent.Directory, ".dstack-agent-*"));
            await agent.StopAsync();
            Assert.False(File.Exists(agent.DstackSocket));
            Assert.False(File.Exists(agent.TappdSocket));
        }
    }

    [Fact]
    public async Task Configured_mode_and_group_are_applied()
    {
        await using var agent = await TestAgent.StartAsync(a =>
        {
            a.Config["Sockets"]!["Mode"] = "0600";
            a.Config["Sockets"]!["Group"] = "1";
        });
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(agent.DstackSocket));
        Assert.Equal("1", await StatAsync("%g", agent.DstackSocket));
    }

    [Fact]
    public async Task Stale_socket_file_is_replaced()
    {
        await using var agent = TestAgent.Create();
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET unlinks a socket's file when the socket is disposed: bind elsewhere and move it into place.
            var elsewhere = Path.Combine(agent.Directory, "stale");
            stale.Bind(new UnixDomainSocketEndPoint(elsewhere));
            File.Move(elsewhere, agent.DstackSocket);
        }

        Assert.True(File.Exists(agent.DstackSocket));
        await agent.StartAsync();
        var response = await RawHttp.SendAsync(agent.DstackSocket, RawHttp.Request("GET", "/Version"));
        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task Live_socket_is_not_taken_over()
    {
        await using var agent = TestAgent.Create();
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(agent.DstackSocket));
        live.Listen();
        var error = await Assert.ThrowsAsync<AgentStartupException>(agent.StartAsync);
        Assert.Contains("in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Directory_at_socket_path_is_refused_with_an_explanation()
    {
        await using var agent = TestAgent.Create();
        Directory.CreateDirectory(agent.DstackSocket);
        var error = await Assert.ThrowsAsync<AgentStartupException>(agent.StartAsync);
        Assert.Contains("is a directory, not a socket", error.Message, StringComparison.Ordinal);
        Assert.Contains("Docker", error.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(agent.DstackSocket));
    }

    [Fact]
    public async Task Regular_file_at_socket_path_is_refused()
    {
        await using var agent = TestAgent.Create();
        await File.WriteAllTextAsync(agent.TappdSocket, "not a socket");
        var error = await Assert.ThrowsAsync<AgentStartupException>(agent.StartAsync);
        Assert.Contains("is not a socket", error.Message, StringComparison.Ordinal);
        Assert.Equal("not a socket", await File.ReadAllTextAsync(agent.TappdSocket));
        Assert.False(File.Exists(agent.DstackSocket));
    }

    [Fact]
    public async Task Run_command_reports_startup_errors_and_exit_code()
    {
        await using var agent = TestAgent.Create();
        Directory.CreateDirectory(agent.DstackSocket);
        using var error = new StringWriter();
        var code = await Dstack.Agent.Cli.RunCommand.RunAsync(agent.Settings(), error, CancellationToken.None);
        Assert.Equal(1, code);
        Assert.Contains("is a directory", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string> StatAsync(string format, string path)
    {
        using var process = Process.Start(new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Trim();
    }
}
