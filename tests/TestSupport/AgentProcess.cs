using System.Text.RegularExpressions;

namespace Dstack.Tests;

/// <summary>
/// <c>dstack-agent VERB --config FILE</c> as a real child process (<c>dotnet dstack-agent.dll</c> from the build output
/// of <c>src/Dstack.Agent</c>): a one-shot verb such as <c>boot</c> is awaited with <see cref="WaitForExitAsync"/>, the
/// daemon (<c>run</c>) with <see cref="WaitForSocketsAsync"/>; output is captured, and disposing kills the process tree.
/// It knows nothing of the agent's types.
/// </summary>
/// <remarks>
/// A test project that does not reference <c>Dstack.Agent</c> should still make sure it is built, for example with
/// <c>&lt;ProjectReference Include="../../src/Dstack.Agent/Dstack.Agent.csproj" ReferenceOutputAssembly="false" /&gt;</c>;
/// <c>DSTACK_AGENT_DLL</c> overrides the location of <c>dstack-agent.dll</c>.
/// </remarks>
internal sealed class AgentProcess : IAsyncDisposable
{
    private const string OverrideVariable = "DSTACK_AGENT_DLL";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private readonly DotnetProcess _process;

    private AgentProcess(DotnetProcess process) => _process = process;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output => _process.Output;

    /// <summary>The operating-system process id.</summary>
    public int ProcessId => _process.ProcessId;

    /// <summary>True once the process has exited and its output has been read to the end.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code (the process must have exited).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Where <c>dstack-agent.dll</c> is: <c>DSTACK_AGENT_DLL</c>, else the build output matching this test's configuration.</summary>
    public static string DefaultDllPath => DotnetProcess.BuildOutputPath("Dstack.Agent", "dstack-agent.dll", OverrideVariable);

    /// <summary>Starts <c>dstack-agent <paramref name="verb"/> --config <paramref name="configPath"/></c> and returns at once.</summary>
    /// <param name="verb">The command, e.g. <c>boot</c> or <c>run</c>.</param>
    /// <param name="configPath">The JSON configuration file.</param>
    /// <param name="dllPath">The program; <see cref="DefaultDllPath"/> when null.</param>
    public static AgentProcess Start(string verb, string configPath, string? dllPath = null) =>
        new(DotnetProcess.Start("dstack-agent " + verb, dllPath ?? DefaultDllPath, [verb, "--config", configPath], OverrideVariable));

    /// <summary>Starts a native (AOT-published) <c>dstack-agent</c> executable with <paramref name="arguments"/> and returns at once.</summary>
    /// <param name="executablePath">The executable, e.g. from <see cref="NativeAgentBinary.GetPathAsync"/>.</param>
    /// <param name="arguments">The command line after the program name, e.g. <c>dev --socket-dir DIR</c>.</param>
    public static AgentProcess StartExecutable(string executablePath, IEnumerable<string> arguments) =>
        new(DotnetProcess.StartExecutable("native dstack-agent", executablePath, arguments));

    /// <summary>Runs a one-shot verb to its end: starts it and waits for the exit (killed and <see cref="TimeoutException"/> after <paramref name="timeout"/>).</summary>
    /// <returns>The exited process: <see cref="ExitCode"/> and <see cref="Output"/> are final.</returns>
    public static async Task<AgentProcess> RunAsync(string verb, string configPath, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var agent = Start(verb, configPath);
        try
        {
            await agent.WaitForExitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return agent;
        }
        catch
        {
            await agent.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits for the process to exit by itself; kills it and throws after <paramref name="timeout"/>.</summary>
    /// <returns>The exit code.</returns>
    public Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default) => _process.WaitForExitAsync(timeout, cancellationToken);

    /// <summary>Waits for the <paramref name="occurrence"/>-th output line matching <paramref name="pattern"/>.</summary>
    /// <exception cref="InvalidOperationException">The process exited first.</exception>
    /// <exception cref="TimeoutException">No such line in time.</exception>
    public Task<Match> WaitForLineAsync(Regex pattern, string what, TimeSpan timeout, int occurrence = 1, CancellationToken cancellationToken = default) =>
        _process.WaitForLineAsync(pattern, what, timeout, occurrence, cancellationToken);

    /// <summary>Waits until every path in <paramref name="socketPaths"/> is a Unix socket that accepts connections (the daemon serves).</summary>
    /// <exception cref="InvalidOperationException">The process exited first; the message holds its output.</exception>
    /// <exception cref="TimeoutException">Not all sockets appeared in time.</exception>
    public async Task WaitForSocketsAsync(IReadOnlyCollection<string> socketPaths, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socketPaths);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!socketPaths.All(IsSocket))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{_process.Name} exited with code {_process.ExitCode} before binding its sockets; output:{Environment.NewLine}{Output}");
            }

            try
            {
                await Task.Delay(PollInterval, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{_process.Name} did not bind {string.Join(", ", socketPaths)} within {timeout}; output:{Environment.NewLine}{Output}");
            }
        }
    }

    /// <summary>Kills the process tree (if still running) and waits for it to go.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>Whether something accepts connections on the Unix socket <paramref name="path"/>.</summary>
    private static bool IsSocket(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            socket.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
