using Microsoft.Extensions.Configuration;

namespace Dstack.Agent.Configuration;

/// <summary>
/// The keys <see cref="AgentOptions"/> understands, written out rather than reflected so that a misspelt key is
/// an error instead of a silently ignored setting (the configuration binder ignores unknown keys).
/// </summary>
internal static class ConfigurationKeys
{
    private static readonly Dictionary<string, string[]> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [""] = [nameof(AgentOptions.Sockets), nameof(AgentOptions.Access), nameof(AgentOptions.Limits), nameof(AgentOptions.Files), nameof(AgentOptions.Tdx), nameof(AgentOptions.Boot)],
        [nameof(AgentOptions.Sockets)] =
        [
            nameof(SocketOptions.Dstack), nameof(SocketOptions.Tappd), nameof(SocketOptions.Mode), nameof(SocketOptions.Group),
        ],
        [nameof(AgentOptions.Access)] = [nameof(AccessOptions.AllowedUids), nameof(AccessOptions.AllowedGids)],
        [nameof(AgentOptions.Limits)] =
        [
            nameof(LimitsOptions.MaxRequestBodyBytes), nameof(LimitsOptions.KeepAliveTimeoutSeconds),
            nameof(LimitsOptions.RequestHeadersTimeoutSeconds), nameof(LimitsOptions.MinRequestBodyBytesPerSecond),
            nameof(LimitsOptions.MinRequestBodyGraceSeconds), nameof(LimitsOptions.MaxConnections),
        ],
        [nameof(AgentOptions.Files)] =
        [
            nameof(FilesOptions.AppCompose), nameof(FilesOptions.SysConfig), nameof(FilesOptions.InstanceInfo),
            nameof(FilesOptions.AppKeys), nameof(FilesOptions.DmiDirectory), nameof(FilesOptions.EncryptedEnv),
            nameof(FilesOptions.DecryptedEnv), nameof(FilesOptions.DecryptedEnvJson),
        ],
        [nameof(AgentOptions.Tdx)] = [nameof(TdxOptions.Mode), nameof(TdxOptions.StateDirectory), nameof(TdxOptions.RuntimeLogDirectory)],
        [nameof(AgentOptions.Boot)] =
        [
            nameof(Boot.BootOptions.BeforeServing), nameof(Boot.BootOptions.KmsRetryTimeoutSeconds),
            nameof(Boot.BootOptions.KmsRetryInitialDelayMilliseconds), nameof(Boot.BootOptions.KmsRetryMaxDelaySeconds),
            nameof(Boot.BootOptions.KmsCallTimeoutSeconds), nameof(Boot.BootOptions.KmsConnectTimeoutSeconds),
            nameof(Boot.BootOptions.KernelCommandLine), nameof(Boot.BootOptions.Storage),
        ],
        ["Boot:Storage"] = [nameof(Boot.StorageOptions.Command), nameof(Boot.StorageOptions.Arguments)],
    };

    /// <summary>Keys (lists' items aside) that hold arrays of scalars.</summary>
    private static readonly HashSet<string> Lists = new(StringComparer.OrdinalIgnoreCase)
    {
        "Access:AllowedUids", "Access:AllowedGids", "Boot:Storage:Arguments",
    };

    /// <summary>Returns the full path of every key in <paramref name="configuration"/> that no option reads.</summary>
    public static IReadOnlyList<string> FindUnknown(IConfiguration configuration)
    {
        var unknown = new List<string>();
        Walk(configuration, "", unknown);
        return unknown;
    }

    private static void Walk(IConfiguration node, string path, List<string> unknown)
    {
        foreach (var child in node.GetChildren())
        {
            var childPath = path.Length == 0 ? child.Key : path + ":" + child.Key;
            if (Lists.Contains(path))
            {
                if (!int.TryParse(child.Key, out _) || child.GetChildren().Any())
                {
                    unknown.Add(childPath);
                }

                continue;
            }

            if (!Sections.TryGetValue(path, out var known) || !known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                unknown.Add(childPath);
                continue;
            }

            if (Sections.ContainsKey(childPath) || Lists.Contains(childPath))
            {
                Walk(child, childPath, unknown);
            }
            else if (child.GetChildren().Any())
            {
                unknown.Add(childPath + " (expected a single value)");
            }
        }
    }
}
