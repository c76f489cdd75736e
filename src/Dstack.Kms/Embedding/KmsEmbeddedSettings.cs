using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Embedding;

/// <summary>What a host that embeds the KMS decides: its configuration, where errors go and what to do once it serves.</summary>
public sealed class KmsEmbeddedSettings
{
    /// <summary>
    /// The KMS configuration as key/value pairs (keys like <c>Listen:Port</c>, <c>Policy:Kind</c>, the keys of
    /// <c>dstack-kms run --config</c>); validated exactly like a configuration file, unknown keys included.
    /// </summary>
    public required IReadOnlyDictionary<string, string?> Configuration { get; init; }

    /// <summary>Where start-up errors are written, one line each (default: standard error).</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>Called once the root keys are loaded and the RPC listener accepts connections.</summary>
    public Func<KmsEmbeddedStarted, Task>? Started { get; init; }

    /// <summary>Extra logging setup, applied after the defaults (a single-line console).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
