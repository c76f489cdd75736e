using Microsoft.Extensions.Configuration;

namespace Dstack.Kms.Configuration;

/// <summary>The configuration the options were bound from (only the config file), kept for the unknown-key check.</summary>
internal sealed class KmsConfiguration(IConfiguration root, string? source)
{
    /// <summary>The bound configuration.</summary>
    public IConfiguration Root { get; } = root;

    /// <summary>The config file path, or null.</summary>
    public string? Source { get; } = source;
}
