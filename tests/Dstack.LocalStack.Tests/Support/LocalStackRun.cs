using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Dstack.LocalStack.Tests.Support;

/// <summary><c>dstack-local</c> run in-process through its command code path, on a private short directory (socket paths are limited to 108 bytes).</summary>
public sealed class LocalStackRun : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private CancellationTokenSource _stop = new();
    private StringWriter _output = new();
    private StringWriter _error = new();
    private Task<int>? _run;

    private LocalStackRun(string directory) => Directory = directory;

    /// <summary>The <c>--dir</c>.</summary>
    public string Directory { get; }

    public string DstackSocket => Path.Combine(Directory, "dstack.sock");

    public string TappdSocket => Path.Combine(Directory, "tappd.sock");

    public string VmDirectory => Path.Combine(Directory, "vm");

    public string KmsTdDirectory => Path.Combine(Directory, "kms", "td");

    public string Output => _output.ToString();

    public string Error => _error.ToString();

    /// <summary>A fresh directory, nothing started.</summary>
    public static LocalStackRun Create() =>
        new(System.IO.Directory.CreateDirectory(Path.Combine("/tmp", "dls-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)))).FullName);

    /// <summary>Starts and waits for the help, or throws with the error output when it exits first.</summary>
    public static async Task<LocalStackRun> StartAsync(string? kmsConfig = null, string? appId = null)
    {
        var run = Create();
        try
        {
            var code = await run.RunAsync(kmsConfig, appId);
            if (code is not null)
            {
                throw new InvalidOperationException($"dstack-local exited with {code}: {run.Error}");
            }

            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts on this directory (again); returns null once it serves, or its exit code if it stopped before.</summary>
    public async Task<int?> RunAsync(string? kmsConfig = null, string? appId = null, int kmsPort = 0)
    {
        if (_run is not null)
        {
            throw new InvalidOperationException("already running");
        }

        _output = new StringWriter();
        _error = new StringWriter();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arguments = new LocalStackArguments { Directory = Directory, KmsConfig = kmsConfig, AppId = appId, KmsPort = kmsPort };
        var output = TextWriter.Synchronized(_output);
        var error = TextWriter.Synchronized(_error);
        _run = Task.Run(() => LocalStackCommand.RunAsync(
            arguments, output, error, _stop.Token,
            configureLogging: logging => logging.ClearProviders(),
            started: () =>
            {
                started.TrySetResult();
                return Task.CompletedTask;
            }));
        var first = await Task.WhenAny(started.Task, _run).WaitAsync(StartTimeout);
        if (first == _run)
        {
            var code = await _run;
            _run = null;
            return code;
        }

        return null;
    }

    /// <summary>Stops it like Ctrl-C and returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (_run is null)
        {
            return 0;
        }

        await _stop.CancelAsync();
        var code = await _run.WaitAsync(StartTimeout);
        _run = null;
        _stop.Dispose();
        _stop = new CancellationTokenSource();
        return code;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
