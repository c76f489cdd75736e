using System.Text.Json;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Formats;

/// <summary>
/// Recognises the inputs a <c>replay</c> command accepts: a raw CCEL area (Spec ID header), a JSON array of
/// events, a JSON object with <c>event_log</c> (array, or a string holding the array) and optional hex
/// <c>quote</c> and <c>vm_config</c> (a GetQuote response), a JSON object <c>{"attestation":"&lt;hex&gt;"}</c>, or a raw V0/V1 attestation.
/// </summary>
public static class ReplayInputParser
{
    /// <summary>Largest input accepted (16 MiB).</summary>
    public const int MaxInputSize = 16 << 20;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>Parses <paramref name="input"/>.</summary>
    /// <exception cref="AttestationFormatException">The form is not recognised or is malformed.</exception>
    /// <exception cref="EventLogFormatException">An embedded event log is malformed.</exception>
    public static ReplayInput Parse(ReadOnlyMemory<byte> input)
    {
        if (input.Length > MaxInputSize)
        {
            throw new AttestationFormatException($"input of {input.Length} bytes exceeds {MaxInputSize}");
        }

        var span = input.Span;
        if (span.Length >= 48 && span.Slice(32, 16).SequenceEqual("Spec ID Event03\0"u8))
        {
            return new ReplayInput(CcelParser.Parse(span), null, "ccel");
        }

        var firstNonSpace = span.IndexOfAnyExcept(" \t\r\n"u8);
        if (firstNonSpace >= 0 && span[firstNonSpace] is (byte)'[' or (byte)'{')
        {
            return ParseJson(input);
        }

        var attestation = AttestationCodec.Decode(input);
        return new ReplayInput(attestation.EventLog, attestation.Quote, $"attestation-v{attestation.WireVersion}", NullIfEmpty(attestation.Config));
    }

    private static ReplayInput ParseJson(ReadOnlyMemory<byte> input)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(input, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new AttestationFormatException($"input is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                return new ReplayInput(EventLogJson.Deserialize(root), null, "json-array");
            }

            if (root.TryGetProperty("attestation", out var attestationHex))
            {
                var attestation = AttestationCodec.Decode(HexProperty(attestationHex, "attestation"));
                return new ReplayInput(attestation.EventLog, attestation.Quote, $"json-attestation-v{attestation.WireVersion}", NullIfEmpty(attestation.Config));
            }

            if (!root.TryGetProperty("event_log", out var eventLog))
            {
                throw new AttestationFormatException("JSON object has neither 'event_log' nor 'attestation'");
            }

            var events = eventLog.ValueKind switch
            {
                JsonValueKind.Array => EventLogJson.Deserialize(eventLog),
                JsonValueKind.String => EventLogJson.Deserialize(eventLog.GetString()!),
                _ => throw new AttestationFormatException($"'event_log' is a {eventLog.ValueKind}, expected an array or a string"),
            };
            var quote = root.TryGetProperty("quote", out var quoteHex) && quoteHex.ValueKind != JsonValueKind.Null
                ? HexProperty(quoteHex, "quote")
                : null;
            var vmConfig = root.TryGetProperty("vm_config", out var config) ? config.ValueKind switch
            {
                JsonValueKind.String => NullIfEmpty(config.GetString()!),
                JsonValueKind.Object => config.GetRawText(),
                JsonValueKind.Null => null,
                _ => throw new AttestationFormatException($"'vm_config' is a {config.ValueKind}, expected a JSON string or object"),
            } : null;
            return new ReplayInput(events, quote, "json-object", vmConfig);
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static byte[] HexProperty(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new AttestationFormatException($"'{name}' is a {value.ValueKind}, expected a hex string");
        }

        var text = value.GetString()!;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException ex)
        {
            throw new AttestationFormatException($"'{name}' is not valid hex", ex);
        }
    }
}
