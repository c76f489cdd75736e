using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dstack.Attestation.EventLog;

/// <summary>Reads and writes a byte array as a lowercase hex JSON string (<c>""</c> for empty).</summary>
internal sealed class HexBytesJsonConverter : JsonConverter<byte[]>
{
    public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"expected a hex string, found {reader.TokenType}");
        }

        var text = reader.GetString() ?? string.Empty;
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException ex)
        {
            throw new JsonException("invalid hex string", ex);
        }
    }

    public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options)
        => writer.WriteStringValue(Convert.ToHexStringLower(value));
}
