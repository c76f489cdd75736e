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

    public static int Int(JsonElement obj, string name, string path)
    {
        var value = Property(obj, name, path);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= 0
            ? number
            : throw new FormatException($"{path}.{name}: expected a non-negative integer");
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

    public static DateTimeOffset Date(JsonElement obj, string name, string path)
    {
        var text = String(obj, name, path);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : throw new FormatException($"{path}.{name}: not an ISO 8601 date: '{text}'");
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

    /// <summary>Splits a signed document into the exact raw text of its body and the decoded raw r‖s signature.</summary>
    public static (JsonElement Body, string RawBody, byte[] Signature) SignedBody(JsonDocument document, string bodyName, string what)
    {
        var body = Property(document.RootElement, bodyName, what);
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{what}.{bodyName}: expected an object");
        }

        var signature = Hex(document.RootElement, "signature", what, 64);
        return (body, body.GetRawText(), signature);
    }
}
