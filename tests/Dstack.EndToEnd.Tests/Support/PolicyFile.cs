using System.Text.Json.Nodes;

namespace Dstack.EndToEnd.Tests.Support;

/// <summary>The KMS's <c>file</c> policy document (allow-list JSON; see <c>PolicyDocumentParser</c> in <c>Dstack.Kms</c>).</summary>
internal sealed class PolicyFile
{
    /// <summary>Allowed compose hashes (hex) per app id (hex).</summary>
    public Dictionary<string, List<string>> Apps { get; } = [];

    /// <summary>Allowed OS images (hex); the E2E image by default.</summary>
    public List<string> OsImages { get; } = [E2eApp.OsImageHash];

    /// <summary>Devices (hex sha256 of the PPID) the apps may boot on; null allows any device.</summary>
    public List<string>? AppDevices { get; set; }

    /// <summary>KMS instances (mrAggregated, hex) that may onboard from, or be onboarded by, this KMS.</summary>
    public List<string> KmsMrAggregated { get; } = [];

    /// <summary>A policy allowing <paramref name="compose"/> (as its own app) on the E2E OS image.</summary>
    public static PolicyFile Allowing(string compose = E2eApp.Compose)
    {
        var policy = new PolicyFile();
        policy.Allow(compose, compose);
        return policy;
    }

    /// <summary>Allows <paramref name="compose"/> for the app whose id derives from <paramref name="appCompose"/>.</summary>
    public PolicyFile Allow(string appCompose, string compose)
    {
        var appId = Convert.ToHexStringLower(E2eApp.AppIdOf(appCompose));
        if (!Apps.TryGetValue(appId, out var hashes))
        {
            Apps[appId] = hashes = [];
        }

        hashes.Add(Convert.ToHexStringLower(E2eApp.ComposeHashOf(compose)));
        return this;
    }

    /// <summary>Writes the document; <paramref name="alsoAllowKms"/> (mrAggregated, hex) join <see cref="KmsMrAggregated"/> in the file only.</summary>
    public void Write(string path, IEnumerable<string>? alsoAllowKms = null)
    {
        var apps = new JsonObject();
        foreach (var (appId, hashes) in Apps)
        {
            apps[appId] = new JsonObject
            {
                ["composeHashes"] = new JsonArray([.. hashes.Select(h => (JsonNode)h)]),
                ["devices"] = new JsonArray([.. (AppDevices ?? []).Select(d => (JsonNode)d)]),
                ["allowAnyDevice"] = AppDevices is null,
            };
        }

        var document = new JsonObject
        {
            ["gatewayAppId"] = E2eApp.GatewayAppId,
            ["osImages"] = new JsonArray([.. OsImages.Select(h => (JsonNode)h)]),
            ["kms"] = new JsonObject
            {
                ["mrAggregated"] = new JsonArray([.. KmsMrAggregated.Concat(alsoAllowKms ?? []).Distinct().Select(m => (JsonNode)m)]),
                ["allowAnyDevice"] = true,
            },
            ["apps"] = apps,
        };
        File.WriteAllText(path, document.ToJsonString());
    }
}
