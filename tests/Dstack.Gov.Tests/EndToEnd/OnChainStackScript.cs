using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dstack.Tests;

namespace Dstack.Gov.Tests.EndToEnd;

/// <summary>
/// <c>packaging/local-stack/onchain.sh</c> as a real process (bash) on free ports in a temp state directory: anvil, the
/// contracts deployed by dstack-gov, dstack-kms with the on-chain policy and a simulated VM whose agent boots against it.
/// <see cref="StartAsync"/> returns once the script says the stack serves; <see cref="StopAsync"/> sends SIGTERM (what
/// Ctrl-C does to it) and waits for the tear-down. The script does not build: the test run built everything.
/// </summary>
public sealed class OnChainStackScript : IAsyncDisposable
{
    private const string ReadyLine = "Press Ctrl-C to stop.";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OnChainStackScript(Process process, string stateDirectory)
    {
        _process = process;
        StateDirectory = stateDirectory;
    }

    public static string ScriptPath => Path.Combine(SharedFiles.RepositoryRoot, "packaging", "local-stack", "onchain.sh");

    /// <summary>The build configuration of this test run, which is also the one the script runs.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public string StateDirectory { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the script printed so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The <c>KEY=VALUE</c> lines of <c>STATE/stack.env</c>.</summary>
    public IReadOnlyDictionary<string, string> Values { get; private set; } = new Dictionary<string, string>();

    public string Value(string name) => Values.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"{name} is not in stack.env:\n{string.Join('\n', Values)}");

    public string DstackSocket => Value("DSTACK_CHAIN_DSTACK_SOCK");

    public string TappdSocket => Value("DSTACK_CHAIN_TAPPD_SOCK");

    public string Rpc => Value("DSTACK_CHAIN_RPC");

    public string KmsContract => Value("DSTACK_CHAIN_KMS_CONTRACT");

    public string App => Value("DSTACK_CHAIN_APP");

    public string KeyFile => Value("DSTACK_CHAIN_KEY_FILE");

    public string ComposeHash => Value("DSTACK_CHAIN_COMPOSE_HASH");

    public string LogPath(string name) => Path.Combine(StateDirectory, "logs", name + ".log");

    /// <summary>Runs <c>onchain.sh</c> (up) with its state in <paramref name="stateDirectory"/> and waits until it serves.</summary>
    public static async Task<OnChainStackScript> StartAsync(string stateDirectory)
    {
        var process = Start(["--state-dir", stateDirectory, "--anvil-port", Port(), "--kms-port", Port()]);
        var script = new OnChainStackScript(process, stateDirectory);
        process.OutputDataReceived += (_, e) => script.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => script.OnLine(e.Data);
        process.Exited += (_, _) => script._ready.TrySetException(new InvalidOperationException("onchain.sh exited before the stack was up; output:\n" + script.Output));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await script._ready.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            await script.DisposeAsync();
            throw new TimeoutException($"onchain.sh was not up within {StartTimeout}; output:\n{script.Output}");
        }
        catch
        {
            await script.DisposeAsync();
            throw;
        }

        script.Values = File.ReadAllLines(Path.Combine(stateDirectory, "stack.env"))
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        return script;
    }

    /// <summary>Runs <c>onchain.sh boot-vm NAME</c> against this stack and returns its exit code and output.</summary>
    public Task<(int ExitCode, string Output)> BootVmAsync(string name) => RunAsync("boot-vm", name, "--state-dir", StateDirectory);

    /// <summary>Runs <c>onchain.sh ARGS</c> to its end and returns its exit code and output (stdout, then stderr).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        using var process = Start(arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The processes the script started and that still run (anvil, dstack-kms, dstack-agent), by <c>/proc</c>.</summary>
    public IReadOnlyList<(int Pid, string CommandLine)> Children()
    {
        var children = new List<(int, string)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == _process.Id)
                {
                    children.Add((pid, File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim()));
                }
            }
            catch (IOException)
            {
                // the process went away while we looked
            }
        }

        return children;
    }

    /// <summary>Sends SIGTERM (the script's Ctrl-C path) and waits for it to tear the stack down; returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        var children = _process.HasExited ? [] : Children();
        try
        {
            await StopAsync();
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            // never leave anything behind, even when the script's own tear-down failed
            foreach (var (pid, _) in children)
            {
                try
                {
                    using var child = Process.GetProcessById(pid);
                    child.Kill(entireProcessTree: true);
                }
                catch (ArgumentException)
                {
                }
                catch (InvalidOperationException)
                {
                }
            }

            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }

    private static Process Start(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ScriptPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DSTACK_CHAIN_NO_BUILD"] = "1";
        start.Environment["DSTACK_CHAIN_CONFIGURATION"] = Configuration;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet)
        {
            start.Environment["DOTNET"] = dotnet;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        process.StandardInput.Close(); // the script needs no stdin
        return process;
    }

    private static string Port() => TcpPorts.GetFree().ToString(CultureInfo.InvariantCulture);

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line == ReadyLine)
        {
            _ready.TrySetResult();
        }
    }
}
