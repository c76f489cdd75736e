using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Dstack.Tests;

/// <summary>
/// A .NET program of this repository (<c>dotnet NAME.dll ARGS</c>, or a Native AOT executable) as a real child process: stdout and stderr are
/// captured line by line, tests wait for a line or for the exit with a timeout, and disposing kills the process tree.
/// The plumbing under <see cref="KmsProcess"/> and <see cref="AgentProcess"/>; it knows nothing of the programs' types.
/// </summary>
internal sealed class DotnetProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<string> _lines = [];
    private readonly List<LineWaiter> _waiters = [];
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DotnetProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>The program's name in messages, e.g. <c>dstack-kms</c>.</summary>
    public string Name { get; }

    /// <summary>Everything the process wrote to stdout and stderr so far (interleaved as received).</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The operating-system process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>True once the process has exited and its output has been read to the end.</summary>
    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>The exit code.</summary>
    /// <exception cref="InvalidOperationException">The process has not exited yet.</exception>
    public int ExitCode => HasExited ? _exited.Task.Result : throw new InvalidOperationException($"{Name} has not exited");

    /// <summary>
    /// The build output <c>src/<paramref name="project"/>/bin/&lt;Configuration&gt;/net10.0/<paramref name="dllName"/></c>
    /// matching this test's configuration, or the value of the environment variable <paramref name="overrideVariable"/>.
    /// </summary>
    public static string BuildOutputPath(string project, string dllName, string overrideVariable)
    {
        if (Environment.GetEnvironmentVariable(overrideVariable) is { Length: > 0 } overridden)
        {
            return overridden;
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release"
            : "Debug";
        return Path.Combine(SharedFiles.RepositoryRoot, "src", project, "bin", configuration, "net10.0", dllName);
    }

    /// <summary>Starts <c>dotnet <paramref name="dllPath"/> <paramref name="arguments"/></c>.</summary>
    /// <param name="name">The program's name in messages.</param>
    /// <param name="dllPath">The program.</param>
    /// <param name="arguments">Its arguments, passed as they are (no shell).</param>
    /// <param name="overrideVariable">The environment variable that overrides the path, named in the error when the file is missing.</param>
    /// <exception cref="FileNotFoundException"><paramref name="dllPath"/> does not exist.</exception>
    public static DotnetProcess Start(string name, string dllPath, IEnumerable<string> arguments, string overrideVariable)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (!File.Exists(dllPath))
        {
            throw new FileNotFoundException($"{dllPath} does not exist: build the solution first (or set {overrideVariable})", dllPath);
        }

        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        return Launch(name, host, [dllPath, .. arguments]);
    }

    /// <summary>Starts a native executable (e.g. the Native AOT <c>dstack-agent</c>) with <paramref name="arguments"/>, with the same capture as <see cref="Start"/>.</summary>
    /// <param name="name">The program's name in messages.</param>
    /// <param name="executablePath">The executable.</param>
    /// <param name="arguments">Its arguments, passed as they are (no shell).</param>
    /// <exception cref="FileNotFoundException"><paramref name="executablePath"/> does not exist.</exception>
    public static DotnetProcess StartExecutable(string name, string executablePath, IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (!File.Exists(executablePath))
        {
            throw new FileNotFoundException($"{executablePath} does not exist", executablePath);
        }

        return Launch(name, executablePath, arguments);
    }

    private static DotnetProcess Launch(string name, string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new DotnetProcess(process, name);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child.OnExited();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Waits until the <paramref name="occurrence"/>-th output line matching <paramref name="pattern"/> (lines already
    /// captured count) and returns its match. The process keeps running either way.
    /// </summary>
    /// <param name="pattern">What to look for in each line.</param>
    /// <param name="what">What the line means, for messages (e.g. <c>listening</c>).</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="occurrence">Which matching line (1 = the first).</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <exception cref="InvalidOperationException">The process exited first; the message holds its exit code and output.</exception>
    /// <exception cref="TimeoutException">No such line within <paramref name="timeout"/>; the message holds the output.</exception>
    public async Task<Match> WaitForLineAsync(Regex pattern, string what, TimeSpan timeout, int occurrence = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentOutOfRangeException.ThrowIfLessThan(occurrence, 1);
        var waiter = new LineWaiter(pattern, what, occurrence);
        lock (_lines)
        {
            foreach (var line in _lines)
            {
                if (waiter.Offer(line))
                {
                    break;
                }
            }

            if (!waiter.Found.Task.IsCompleted)
            {
                if (_exited.Task.IsCompleted)
                {
                    waiter.Found.TrySetException(ExitedBefore(what));
                }
                else
                {
                    _waiters.Add(waiter);
                }
            }
        }

        try
        {
            return await waiter.Found.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not report {what} within {timeout}; output:{Environment.NewLine}{Output}");
        }
        finally
        {
            lock (_lines)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Waits for the process to exit by itself; kills it and throws after <paramref name="timeout"/>.</summary>
    /// <returns>The exit code (the output has been read to the end).</returns>
    /// <exception cref="TimeoutException">It did not exit in time; the message holds its output.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _exited.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"{Name} did not exit within {timeout}; output:{Environment.NewLine}{Output}");
        }
    }

    /// <summary>Kills the process tree (if still running) and waits for it to go.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            // the exit is recorded (and the output read to the end) before the process object goes
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
        }

        _process.Dispose();
    }

    private InvalidOperationException ExitedBefore(string what) =>
        new($"{Name} exited with code {ExitCodeText()} before {what}; output:{Environment.NewLine}{Output}");

    private string ExitCodeText() => _exited.Task.IsCompletedSuccessfully ? _exited.Task.Result.ToString(CultureInfo.InvariantCulture) : "unknown";

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _output.AppendLine(line);
            _lines.Add(line);
            foreach (var waiter in _waiters)
            {
                waiter.Offer(line);
            }
        }
    }

    private void OnExited()
    {
        int code;
        try
        {
            // drain the redirected output first, so that waiters and messages see the process's last words
            _process.WaitForExit();
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1; // already disposed
        }

        lock (_lines)
        {
            _exited.TrySetResult(code);
            foreach (var waiter in _waiters)
            {
                waiter.Found.TrySetException(ExitedBefore(waiter.What));
            }
        }
    }

    private sealed class LineWaiter(Regex pattern, string what, int occurrence)
    {
        private int _seen;

        public string What => what;

        public TaskCompletionSource<Match> Found { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Offer(string line)
        {
            var match = pattern.Match(line);
            if (match.Success && ++_seen == occurrence)
            {
                Found.TrySetResult(match);
                return true;
            }

            return false;
        }
    }
}
