using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dstack.LocalStack.Tests.Support;
using Dstack.Tests;

namespace Dstack.LocalStack.Tests;

/// <summary>
/// <c>dotnet dstack-local.dll</c> as a real process, stopped with SIGTERM (what systemd, Docker and CI send; Ctrl-C's
/// SIGINT goes the same way in the process, but a shell without job control starts background jobs with SIGINT ignored,
/// and the runtime keeps an inherited SIG_IGN, so a test cannot rely on it).
/// </summary>
public sealed partial class LocalStackProcessTests
{
    [Fact]
    public async Task The_command_serves_info_over_the_socket_and_stops_cleanly_on_sigterm()
    {
        await using var stack = LocalStackRun.Create();
        var dll = DotnetProcess.BuildOutputPath("Dstack.LocalStack", "dstack-local.dll", "DSTACK_LOCAL_DLL");
        await using var process = DotnetProcess.Start("dstack-local", dll, ["--dir", stack.Directory], "DSTACK_LOCAL_DLL");
        await process.WaitForLineAsync(ReadyLine(), "that it serves", TimeSpan.FromSeconds(90));

        using (var http = UnixSocketHttp.Create(stack.DstackSocket))
        {
            using var info = JsonDocument.Parse(await http.GetStringAsync("/Info"));
            var compose = await File.ReadAllBytesAsync(Path.Combine(stack.VmDirectory, "app-compose.json"));
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(compose)), info.RootElement.GetProperty("compose_hash").GetString());
        }

        using (var kill = Process.Start("kill", ["-TERM", process.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, process.Output);
        Assert.False(File.Exists(stack.DstackSocket));
        Assert.False(File.Exists(stack.TappdSocket));
        Assert.DoesNotContain("Unhandled exception", process.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex("^Press Ctrl-C to stop\\.$")]
    private static partial Regex ReadyLine();
}
