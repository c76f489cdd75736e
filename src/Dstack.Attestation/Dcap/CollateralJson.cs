using System.Globalization;
using System.Text.Json;

namespace Dstack.Attestation.Dcap;

/// <summary>Strict accessors for collateral JSON; every problem becomes a <see cref="FormatException"/> naming the JSON path.</summary>
internal static class CollateralJson
{
    public const int MaxDocumentSize = 1024 * 1024;

    public static JsonDocument ParseDocument(string json, string what)
    {
        if (json.Length > MaxDocumentSize)
        {
            throw new FormatException($"{what}: document larger than {MaxDocumentSize} characters");
        }

        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"{what}: not valid JSON: {e.Message}", e);
        }
    }

    public static JsonElement Property(JsonElement obj, string name, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path}: expected an object");
        }

        return obj.TryGetProperty(name, out var value) ? value : throw new FormatException($"{path}.{name}: missing");
    }

    public static string String(JsonElement obj, string name, string path)
    {
        var value = Property(obj, name, path);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"{path}.{name}: expected a string");
    }

    public static int Int(JsonElement obj, string name, string path) => (int)Int(obj, name, path, int.MaxValue);

    /// <summary>A non-negative integer up to <paramref name="max"/> (255 for u8, 65535 for u16, …).</summary>
    public static long Int(JsonElement obj, string name, string path, long max)
    {
        var value = Property(obj, name, path);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0 && number <= max
            ? number
            : throw new FormatException($"{path}.{name}: expected an integer in 0..{max}");
    }

    public static byte[] Hex(JsonElement obj, string name, string path, int size)
    {
        var text = String(obj, name, path);
        if (text.Length != size * 2)
        {
            throw new FormatException($"{path}.{name}: expected {size * 2} hex digits, got {text.Length}");
        }

        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{path}.{name}: not hex", e);
        }
    }

    /// <summary>An RFC 3339 date-time with an explicit offset (<c>2025-06-19T10:16:03Z</c>).</summary>
    public static DateTimeOffset Date(JsonElement obj, string name, string path)
    {
        var text = String(obj, name, path);
        string[] formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];
        return text.Length > 0 && (text[^1] is 'Z' or 'z' || text.LastIndexOfAny(['+', '-']) > 10)
            && DateTimeOffset.TryParseExact(text.ToUpperInvariant(), formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : throw new FormatException($"{path}.{name}: not an RFC 3339 date-time: '{text}'");
    }

    /// <summary>Hex of any even length (decoded case-insensitively).</summary>
    public static byte[] Hex(JsonElement obj, string name, string path)
    {
        var text = String(obj, name, path);
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{path}.{name}: not hex", e);
        }
    }

    public static JsonElement.ArrayEnumerator Array(JsonElement obj, string name, string path)
    {
        var value = Property(obj, name, path);
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : throw new FormatException($"{path}.{name}: expected an array");
    }

    public static List<string> AdvisoryIds(JsonElement level, string path)
    {
        var ids = new List<string>();
        if (!level.TryGetProperty("advisoryIDs", out var value))
        {
            return ids;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{path}.advisoryIDs: expected an array");
        }

        foreach (var id in value.EnumerateArray())
        {
            ids.Add(id.ValueKind == JsonValueKind.String ? id.GetString()! : throw new FormatException($"{path}.advisoryIDs: expected strings"));
        }

        return ids;
    }

    public static string Status(JsonElement level, string path)
    {
        var status = String(level, "tcbStatus", path);
        return TcbStatuses.IsKnown(status) ? status : throw new FormatException($"{path}.tcbStatus: unknown status '{status}'");
    }
}
