using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Hosting;

/// <summary>What the CLI (or a test) decides about a daemon before it is built.</summary>
internal sealed class AgentHostSettings
{
    /// <summary>The JSON config file; null runs on defaults.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>
    /// Configuration values applied over the config file (keys like <c>Tdx:Mode</c>); they are validated like the
    /// file's keys. <c>dev</c> sets its sockets, files and simulated device here.
    /// </summary>
    public IReadOnlyDictionary<string, string?>? ConfigurationValues { get; init; }

    /// <summary>Where <c>LISTEN_*</c> and <c>NOTIFY_SOCKET</c> come from.</summary>
    public ProcessEnvironment Environment { get; init; } = ProcessEnvironment.Real;

    /// <summary>Extra logging setup (tests capture logs here).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Extra or replacement services, applied last (seams such as the identity source).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}
