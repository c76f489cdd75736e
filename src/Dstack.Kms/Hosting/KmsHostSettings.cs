using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Hosting;

/// <summary>How to build the daemon: the config file (or configuration values) and test hooks.</summary>
internal sealed class KmsHostSettings
{
    /// <summary>The JSON configuration file; required unless <see cref="ConfigurationValues"/> is set.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>
    /// Configuration values (keys like <c>Policy:Kind</c>) used instead of a file, validated like a file's keys (the
    /// embedded KMS of the local stack).
    /// </summary>
    public IReadOnlyDictionary<string, string?>? ConfigurationValues { get; init; }

    /// <summary>Extra logging setup (tests).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Changes to the listener limits after <see cref="KmsListenerLimits"/> are applied (tests: short timeouts).</summary>
    public Action<KestrelServerLimits>? ConfigureListenerLimits { get; init; }

    /// <summary>Whether the endpoints are mapped (false for verbs that only use services, such as <c>identity</c>).</summary>
    public bool MapEndpoints { get; init; } = true;

    /// <summary>Service overrides (tests).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}
