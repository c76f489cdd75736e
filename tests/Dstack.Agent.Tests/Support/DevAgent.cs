using System.Security.Cryptography;
using Dstack.Agent.Cli;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Tests.Support;

/// <summary><c>dstack-agent dev</c> run in-process through the CLI code path, on a private temp directory.</summary>
public sealed class DevAgent : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private CancellationTokenSource _stop = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private Task<int>? _run;

    private DevAgent(string directory) => Directory = directory;

    /// <summary>Holds <c>state/</c> and <c>sockets/</c>.</summary>
    public string Directory { get; }

    public string StateDirectory => Path.Combine(Directory, "state");

    public string SocketDirectory => Path.Combine(Directory, "sockets");

    public string DstackSocket => Path.Combine(SocketDirectory, "dstack.sock");

    public string TappdSocket => Path.Combine(SocketDirectory, "tappd.sock");

    public string Output => _output.ToString();

    public string Error => _error.ToString();

    public CapturingLoggerProvider Logs { get; } = new();

    public static DevAgent Create() =>
        new(System.IO.Directory.CreateDirectory(Path.Combine("/tmp", "dad-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)))).FullName);

    public static async Task<DevAgent> StartAsync()
    {
        var agent = Create();
        await agent.StartAgainAsync();
        return agent;
    }

    /// <summary>Starts <c>dev</c> on this directory (again) and waits until it prints its help.</summary>
    public async Task StartAgainAsync()
    {
        if (_run is not null)
        {
            throw new InvalidOperationException("already running");
        }

        _output.GetStringBuilder().Clear();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _run = Task.Run(() => DevCommand.RunAsync(
            SocketDirectory, StateDirectory, _output, _error, _stop.Token,
            configureLogging: logging => logging.ClearProviders().AddProvider(Logs),
            started: () =>
            {
                started.TrySetResult();
                return Task.CompletedTask;
            }));
        var first = await Task.WhenAny(started.Task, _run).WaitAsync(StartTimeout);
        if (first == _run)
        {
            throw new InvalidOperationException($"dev exited with {await _run}: {Error}");
        }
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
        await _output.DisposeAsync();
        await _error.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
