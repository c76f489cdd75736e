using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Hosting;

/// <summary>How to build the daemon: the config file and test hooks.</summary>
internal sealed class KmsHostSettings
{
    /// <summary>The JSON configuration file (required).</summary>
    public required string ConfigPath { get; init; }

    /// <summary>Extra logging setup (tests).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Service overrides (tests).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}
