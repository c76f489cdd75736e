using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Embedding;

/// <summary>Where an embedded agent keeps its VM and its sockets, and what to do once it serves.</summary>
public sealed class LocalStackAgentSettings
{
    /// <summary>The VM directory prepared by <see cref="LocalStackAgent.PrepareVm"/>.</summary>
    public required string VmDirectory { get; init; }

    /// <summary>Where <c>dstack.sock</c> and <c>tappd.sock</c> are created.</summary>
    public required string SocketDirectory { get; init; }

    /// <summary>Where start-up and boot errors are written, one line each (default: standard error).</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>Called once the VM has booted and both sockets listen.</summary>
    public Func<LocalStackAgentStarted, Task>? Started { get; init; }

    /// <summary>Extra logging setup, applied after the defaults (a single-line console).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
