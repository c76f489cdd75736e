using System.Globalization;
using System.Net.Sockets;
using Dstack.Agent.Hosting;
using Dstack.Agent.Tests.Support;
using Dstack.Agent.Transport;

namespace Dstack.Agent.Tests.Hosting;

public sealed class SystemdTests
{
    private static readonly string Pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2", null, 3, 4)]
    [InlineData("2", "dstack:tappd", 3, 4)]
    [InlineData("2", "tappd.sock:dstack.sock", 4, 3)]
    [InlineData("2", "dstack-guest-agent.socket:dstack-guest-agent.socket", 3, 4)]
    [InlineData("1", null, 3, null)]
    public void Activated_fds_map_by_name_or_index(string count, string? names, int dstackFd, int? tappdFd)
    {
        var env = ProcessEnvironment.From(new Dictionary<string, string?> { ["LISTEN_PID"] = Pid, ["LISTEN_FDS"] = count, ["LISTEN_FDNAMES"] = names });
        var sockets = SystemdActivation.Take(env);
        Assert.Equal(dstackFd, sockets.Single(s => s.Kind == ListenerKind.Dstack).FileDescriptor);
        Assert.Equal(tappdFd, sockets.SingleOrDefault(s => s.Kind == ListenerKind.Tappd)?.FileDescriptor);
        Assert.All(sockets, s => Assert.Null(s.OwnedPath));
    }

    [Fact]
    public void Activation_for_another_pid_or_absent_is_ignored()
    {
        Assert.Empty(SystemdActivation.Take(ProcessEnvironment.From(new Dictionary<string, string?> { ["LISTEN_PID"] = "1", ["LISTEN_FDS"] = "2" })));
        Assert.Empty(SystemdActivation.Take(ProcessEnvironment.From(new Dictionary<string, string?>())));
    }

    [Fact]
    public void Activation_without_a_dstack_socket_is_an_error()
    {
        var env = ProcessEnvironment.From(new Dictionary<string, string?> { ["LISTEN_PID"] = Pid, ["LISTEN_FDS"] = "1", ["LISTEN_FDNAMES"] = "tappd" });
        Assert.Throws<AgentStartupException>(() => SystemdActivation.Take(env));
    }

    [Fact]
    public async Task Daemon_serves_a_socket_passed_by_the_service_manager()
    {
        await using var agent = TestAgent.Create();
        var path = Path.Combine(agent.Directory, "activated.sock");
        int fd;
        using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET unlinks a socket's file when the socket is disposed: bind elsewhere and move it into place.
            var elsewhere = Path.Combine(agent.Directory, "bound");
            listener.Bind(new UnixDomainSocketEndPoint(elsewhere));
            listener.Listen();
            File.Move(elsewhere, path);
            fd = LibC.Dup((int)listener.SafeHandle.DangerousGetHandle());
        }

        agent.FirstListenFd = fd;
        agent.Environment["LISTEN_PID"] = Pid;
        agent.Environment["LISTEN_FDS"] = "1";
        agent.Environment["LISTEN_FDNAMES"] = "dstack";
        await agent.StartAsync();

        var response = await RawHttp.SendAsync(path, RawHttp.Request("GET", "/Version"));
        Assert.Equal(200, response.Status);
        Assert.False(File.Exists(agent.DstackSocket));
        Assert.False(File.Exists(agent.TappdSocket));
        Assert.Contains(agent.Logs.Entries, e => e.EventId.Id == 2 && e.Message.Contains("systemd fd", StringComparison.Ordinal));
        await agent.StopAsync();
        Assert.True(File.Exists(path)); // the service manager owns it
    }
}
