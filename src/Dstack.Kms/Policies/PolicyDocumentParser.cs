using System.Text.Json;

namespace Dstack.Kms.Policies;

/// <summary>
/// Parses the policy file (JSON, camelCase keys):
/// <code>
/// {
///   "gatewayAppId": "…",
///   "osImages": ["&lt;hex&gt;"],
///   "allowedTcbStatuses": ["UpToDate"],
///   "allowedAdvisoryIds": [],
///   "kms": { "mrAggregated": ["&lt;hex&gt;"], "devices": ["&lt;hex&gt;"], "allowAnyDevice": false },
///   "apps": { "&lt;app id hex&gt;": { "composeHashes": ["&lt;hex&gt;"], "devices": [], "allowAnyDevice": true } }
/// }
/// </code>
/// Unknown keys and malformed hex are errors, so a typo cannot silently widen or narrow the policy.
/// </summary>
internal static class PolicyDocumentParser
{
    /// <summary>Parses <paramref name="json"/>.</summary>
    /// <exception cref="FormatException">The document is not a valid policy; the message says where.</exception>
    public static PolicyDocument Parse(ReadOnlyMemory<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new FormatException("not valid JSON: " + ex.Message, ex);
        }

        using (document)
        {
            var root = document.RootElement;
            RequireObject(root, "the document");
            var result = new PolicyDocument();
            foreach (var property in root.EnumerateObject())
            {
                result = property.Name switch
                {
                    "gatewayAppId" => result with { GatewayAppId = ReadString(property.Value, "gatewayAppId") },
                    "osImages" => result with { OsImages = ReadHexSet(property.Value, "osImages") },
                    "allowedTcbStatuses" => result with { AllowedTcbStatuses = ReadStringSet(property.Value, "allowedTcbStatuses") },
                    "allowedAdvisoryIds" => result with { AllowedAdvisoryIds = ReadStringSet(property.Value, "allowedAdvisoryIds") },
                    "kms" => result with { Kms = ReadKms(property.Value) },
                    "apps" => result with { Apps = ReadApps(property.Value) },
                    _ => throw new FormatException($"unknown key '{property.Name}'"),
                };
            }

            return result;
        }
    }

    /// <summary>Normalises a hex string: optional <c>0x</c>, lowercase; null when it is not hex.</summary>
    public static string? NormalizeHex(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value;
        return text.Length % 2 == 0 && text.All(Uri.IsHexDigit) ? text.ToLowerInvariant() : null;
    }

    private static PolicyMeasurements ReadKms(JsonElement element)
    {
        RequireObject(element, "kms");
        var result = new PolicyMeasurements();
        foreach (var property in element.EnumerateObject())
        {
            result = property.Name switch
            {
                "mrAggregated" => result with { MrAggregated = ReadHexSet(property.Value, "kms.mrAggregated") },
                "devices" => result with { Devices = ReadHexSet(property.Value, "kms.devices") },
                "allowAnyDevice" => result with { AllowAnyDevice = ReadBool(property.Value, "kms.allowAnyDevice") },
                _ => throw new FormatException($"unknown key 'kms.{property.Name}'"),
            };
        }

        return result;
    }

    private static Dictionary<string, PolicyApp> ReadApps(JsonElement element)
    {
        RequireObject(element, "apps");
        var apps = new Dictionary<string, PolicyApp>(StringComparer.Ordinal);
        foreach (var app in element.EnumerateObject())
        {
            var id = NormalizeHex(app.Name);
            if (id is not { Length: 40 })
            {
                throw new FormatException($"apps: '{app.Name}' is not a 20-byte hex app id");
            }

            RequireObject(app.Value, $"apps.{app.Name}");
            var result = new PolicyApp();
            foreach (var property in app.Value.EnumerateObject())
            {
                var where = $"apps.{app.Name}.{property.Name}";
                result = property.Name switch
                {
                    "composeHashes" => result with { ComposeHashes = ReadHexSet(property.Value, where) },
                    "devices" => result with { Devices = ReadHexSet(property.Value, where) },
                    "allowAnyDevice" => result with { AllowAnyDevice = ReadBool(property.Value, where) },
                    _ => throw new FormatException($"unknown key '{where}'"),
                };
            }

            if (!apps.TryAdd(id, result))
            {
                throw new FormatException($"apps: app id {id} is listed twice");
            }
        }

        return apps;
    }

    private static HashSet<string> ReadHexSet(JsonElement element, string where)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in ReadStringSet(element, where))
        {
            set.Add(NormalizeHex(item) ?? throw new FormatException($"{where}: '{item}' is not hex"));
        }

        return set;
    }

    private static HashSet<string> ReadStringSet(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{where} must be an array of strings");
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in element.EnumerateArray())
        {
            set.Add(ReadString(item, where));
        }

        return set;
    }

    private static string ReadString(JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw new FormatException($"{where} must be a string");

    private static bool ReadBool(JsonElement element, string where) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new FormatException($"{where} must be true or false"),
    };

    private static void RequireObject(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{where} must be a JSON object");
        }
    }
}
