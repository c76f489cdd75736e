using Dstack.Kms.Collateral;
using Dstack.Kms.Images;
using Microsoft.Extensions.Configuration;

namespace Dstack.Kms.Configuration;

/// <summary>
/// The keys <see cref="KmsOptions"/> understands, written out rather than reflected, so that a misspelt key is an
/// error instead of a silently ignored setting (the configuration binder ignores unknown keys).
/// </summary>
internal static class KmsConfigurationKeys
{
    private static readonly Dictionary<string, string[]> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [""] =
        [
            nameof(KmsOptions.Production), nameof(KmsOptions.Listen), nameof(KmsOptions.KeyStore), nameof(KmsOptions.Tdx),
            nameof(KmsOptions.TrustRoot), nameof(KmsOptions.Attestation), nameof(KmsOptions.Policy), nameof(KmsOptions.Onboarding),
            nameof(KmsOptions.Image), nameof(KmsOptions.Collateral),
        ],
        [nameof(KmsOptions.Collateral)] =
        [
            nameof(CollateralOptions.PccsUrl), nameof(CollateralOptions.CacheDirectory), nameof(CollateralOptions.Required),
            nameof(CollateralOptions.FetchTimeoutSeconds), nameof(CollateralOptions.RefreshCheckSeconds),
        ],
        [nameof(KmsOptions.Image)] =
        [
            nameof(ImageOptions.Verify), nameof(ImageOptions.DownloadUrl), nameof(ImageOptions.CacheDirectory), nameof(ImageOptions.DownloadTimeoutSeconds),
        ],
        [nameof(KmsOptions.Listen)] = [nameof(ListenOptions.Address), nameof(ListenOptions.Port), nameof(ListenOptions.Domain)],
        [nameof(KmsOptions.KeyStore)] = [nameof(KeyStoreOptions.Directory)],
        [nameof(KmsOptions.Tdx)] = [nameof(TdxOptions.Mode), nameof(TdxOptions.StateDirectory), nameof(TdxOptions.RuntimeLogDirectory)],
        [nameof(KmsOptions.TrustRoot)] = [nameof(TrustRootOptions.Kind), nameof(TrustRootOptions.SimulatedStateDirectory)],
        [nameof(KmsOptions.Attestation)] = [nameof(AttestationOptions.AllowDebugTds)],
        [nameof(KmsOptions.Policy)] =
        [
            nameof(PolicyOptions.Kind), nameof(PolicyOptions.Path), nameof(PolicyOptions.WebhookUrl),
            nameof(PolicyOptions.WebhookTimeoutSeconds), nameof(PolicyOptions.DevGatewayAppId),
            nameof(PolicyOptions.RpcUrls), nameof(PolicyOptions.ChainId), nameof(PolicyOptions.KmsContract),
            nameof(PolicyOptions.BlockTag), nameof(PolicyOptions.TimeoutSeconds),
            nameof(PolicyOptions.EnforceSelfAuthorization), nameof(PolicyOptions.SelfAuthorizationIntervalSeconds),
        ],
        [nameof(KmsOptions.Onboarding)] = [nameof(OnboardingOptions.SourceUrl), nameof(OnboardingOptions.VmConfig)],
    };

    /// <summary>Keys that hold a JSON array of single values (children named 0, 1, …).</summary>
    private static readonly HashSet<string> Arrays = new(StringComparer.OrdinalIgnoreCase)
    {
        nameof(KmsOptions.Policy) + ":" + nameof(PolicyOptions.RpcUrls),
    };

    /// <summary>Returns the full path of every key in <paramref name="configuration"/> that no option reads.</summary>
    public static IReadOnlyList<string> FindUnknown(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var unknown = new List<string>();
        Walk(configuration, "", unknown);
        return unknown;
    }

    private static void Walk(IConfiguration node, string path, List<string> unknown)
    {
        foreach (var child in node.GetChildren())
        {
            var childPath = path.Length == 0 ? child.Key : path + ":" + child.Key;
            if (!Sections.TryGetValue(path, out var known) || !known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                unknown.Add(childPath);
                continue;
            }

            if (Sections.ContainsKey(childPath))
            {
                Walk(child, childPath, unknown);
            }
            else if (Arrays.Contains(childPath))
            {
                WalkArray(child, childPath, unknown);
            }
            else if (child.GetChildren().Any())
            {
                unknown.Add(childPath + " (expected a single value)");
            }
        }
    }

    private static void WalkArray(IConfigurationSection node, string path, List<string> unknown)
    {
        // an empty JSON array reads as an empty value
        if (node.Value is { Length: > 0 })
        {
            unknown.Add(path + " (expected an array)");
        }

        foreach (var item in node.GetChildren())
        {
            var itemPath = path + ":" + item.Key;
            if (!int.TryParse(item.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                unknown.Add(itemPath + " (expected an array)");
            }
            else if (item.GetChildren().Any())
            {
                unknown.Add(itemPath + " (expected a single value)");
            }
        }
    }
}
