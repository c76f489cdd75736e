namespace Dstack.Agent.Hosting;

/// <summary>
/// The environment variables the daemon reads for systemd integration (<c>LISTEN_*</c>, <c>NOTIFY_SOCKET</c>).
/// Tests hand in their own values instead of changing the process environment.
/// </summary>
internal sealed class ProcessEnvironment
{
    private readonly IReadOnlyDictionary<string, string?>? _overrides;

    private ProcessEnvironment(IReadOnlyDictionary<string, string?>? overrides, int firstListenFd)
    {
        _overrides = overrides;
        FirstListenFd = firstListenFd;
    }

    /// <summary>The real process environment; systemd passes activated sockets from fd 3.</summary>
    public static ProcessEnvironment Real { get; } = new(null, 3);

    /// <summary>The fd number of the first socket passed by the service manager (3, <c>SD_LISTEN_FDS_START</c>).</summary>
    public int FirstListenFd { get; }

    /// <summary>An environment made of <paramref name="variables"/> only (for tests).</summary>
    public static ProcessEnvironment From(IReadOnlyDictionary<string, string?> variables, int firstListenFd = 3) =>
        new(variables, firstListenFd);

    /// <summary>Reads a variable; null when unset.</summary>
    public string? Get(string name) =>
        _overrides is null ? Environment.GetEnvironmentVariable(name) : _overrides.GetValueOrDefault(name);

    /// <summary>Unsets a variable so that child processes do not inherit it (no-op for test environments).</summary>
    public void Unset(string name)
    {
        if (_overrides is null)
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
