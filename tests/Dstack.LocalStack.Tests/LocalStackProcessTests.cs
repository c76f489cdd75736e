using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Dstack.LocalStack.Tests.Support;
using Dstack.Tests;

namespace Dstack.LocalStack.Tests;

/// <summary>
/// <c>dotnet dstack-local.dll</c> as a real process, stopped with SIGTERM (what systemd, Docker and CI send; Ctrl-C's
/// SIGINT goes the same way in the process, but a shell without job control starts background jobs with SIGINT ignored,
/// and the runtime keeps an inherited SIG_IGN, so a test cannot rely on it).
/// </summary>
public sealed class LocalStackProcessTests
{
    [Fact]
    public async Task The_command_serves_info_over_the_socket_and_stops_cleanly_on_sigterm()
    {
        await using var stack = LocalStackRun.Create();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(SharedFiles.RepositoryRoot, "src", "Dstack.LocalStack", "bin", configuration, "net10.0", "dstack-local.dll");
        Assert.True(File.Exists(dll), dll + " is missing");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = stack.Directory,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--dir");
        start.ArgumentList.Add(stack.Directory);
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data == "Press Ctrl-C to stop.")
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(ready.Task, process.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(90));
            Assert.True(ready.Task.IsCompleted, "dstack-local did not start: " + output);

            using (var http = UnixSocketHttp.Create(stack.DstackSocket))
            {
                using var info = JsonDocument.Parse(await http.GetStringAsync("/Info"));
                var compose = await File.ReadAllBytesAsync(Path.Combine(stack.VmDirectory, "app-compose.json"));
                Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(compose)), info.RootElement.GetProperty("compose_hash").GetString());
            }

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                lock (output)
                {
                    throw new TimeoutException("dstack-local did not stop within 30 s of SIGTERM; output:" + Environment.NewLine + output);
                }
            }
            Assert.True(process.ExitCode == 0, output.ToString());
            Assert.False(File.Exists(stack.DstackSocket));
            Assert.False(File.Exists(stack.TappdSocket));
            Assert.DoesNotContain("Unhandled exception", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
