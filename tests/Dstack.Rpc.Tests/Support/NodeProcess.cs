using System.Diagnostics;
using System.Text;
using Dstack.Tests;

namespace Dstack.Rpc.Tests.Support;

/// <summary>A node script from <c>tests/interop/grpc</c>, run with a JSON argument; killed (with its children) on dispose.</summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(Process process)
    {
        _process = process;
    }

    public static string ScriptDirectory => Path.Combine(SharedFiles.RepositoryRoot, "tests", "interop", "grpc");

    public static string ProtoPath => Path.Combine(SharedFiles.RepositoryRoot, "protos", "kms.proto");

    public static NodeProcess Start(string script, string jsonArgument)
    {
        if (!Directory.Exists(Path.Combine(SharedFiles.RepositoryRoot, "tests", "node_modules", "@grpc", "grpc-js")))
        {
            throw new InvalidOperationException("tests/node_modules is missing: run `npm ci --prefix tests` (./test.sh does).");
        }

        var info = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ScriptDirectory,
        };
        info.ArgumentList.Add(Path.Combine(ScriptDirectory, script));
        info.ArgumentList.Add(jsonArgument);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var node = new NodeProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (node._stderr)
                {
                    node._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Exited += (_, _) => node._exited.TrySetResult();
        process.Start();
        process.BeginErrorReadLine();
        return node;
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The next stdout line, or an exception naming stderr when the script ends or the time runs out first.</summary>
    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var line = await _process.StandardOutput.ReadLineAsync(cts.Token);
            return line ?? throw new InvalidOperationException("node exited without output; stderr: " + Stderr);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("node printed nothing within " + timeout + "; stderr: " + Stderr);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
        catch (TimeoutException)
        {
            // leave it; the test run ends anyway
        }
        finally
        {
            _process.Dispose();
        }
    }
}
