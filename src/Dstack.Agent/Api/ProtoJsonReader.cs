using System.Collections;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Dstack.Agent.Api;

/// <summary>
/// Reads dstack's JSON request form into a protobuf message: proto field names, every field optional, unknown fields
/// ignored, duplicate fields rejected, <c>bytes</c> as hex (optional <c>0x</c>), <c>null</c> only for proto3
/// <c>optional</c> fields. Errors name the field and the problem.
/// </summary>
internal static class ProtoJsonReader
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 32 };

    /// <summary>Merges <paramref name="json"/> into <paramref name="message"/>.</summary>
    public static void Merge(IMessage message, ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, Options);
        try
        {
            if (!reader.Read())
            {
                throw new RpcException("invalid JSON: EOF while parsing a value");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw TypeError(ref reader, json, $"struct {message.Descriptor.Name}", null);
            }

            ReadObject(ref reader, json, message);
            if (reader.Read())
            {
                throw new RpcException($"invalid JSON: trailing characters{Position(json, reader.TokenStartIndex)}");
            }
        }
        catch (JsonException ex)
        {
            throw new RpcException("invalid JSON: " + ex.Message, ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new RpcException("invalid JSON: " + ex.Message, ex);
        }
    }

    private static void ReadObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, IMessage message)
    {
        var seen = new HashSet<int>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            var field = message.Descriptor.FindFieldByName(name);
            reader.Read();
            if (field is null)
            {
                reader.Skip();
                continue;
            }

            if (!seen.Add(field.FieldNumber))
            {
                throw new RpcException($"duplicate field `{name}`{Position(json, reader.TokenStartIndex)}");
            }

            ReadField(ref reader, json, message, field);
        }
    }

    private static void ReadField(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, IMessage message, FieldDescriptor field)
    {
        if (field.IsRepeated)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw TypeError(ref reader, json, "a sequence", field);
            }

            var list = (IList)field.Accessor.GetValue(message);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                list.Add(ReadScalar(ref reader, json, field));
            }

            return;
        }

        if (reader.TokenType == JsonTokenType.Null && field.HasPresence && field.FieldType != FieldType.Message)
        {
            field.Accessor.Clear(message);
            return;
        }

        field.Accessor.SetValue(message, ReadScalar(ref reader, json, field));
    }

    private static object ReadScalar(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, FieldDescriptor field)
    {
        switch (field.FieldType)
        {
            case FieldType.String:
                return reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw TypeError(ref reader, json, "a string", field);
            case FieldType.Bytes:
                return reader.TokenType == JsonTokenType.String
                    ? ByteString.CopyFrom(Hex.Decode(field.Name, reader.GetString()!))
                    : throw TypeError(ref reader, json, "a hex string", field);
            case FieldType.Bool:
                return reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw TypeError(ref reader, json, "a boolean", field),
                };
            case FieldType.UInt64 or FieldType.Fixed64:
                if (reader.TokenType != JsonTokenType.Number)
                {
                    throw TypeError(ref reader, json, "u64", field);
                }

                return reader.TryGetUInt64(out var u64)
                    ? u64
                    : throw new RpcException($"invalid value: {Raw(ref reader)}, expected u64 for field `{field.Name}`{Position(json, reader.TokenStartIndex)}");
            case FieldType.UInt32 or FieldType.Fixed32:
                if (reader.TokenType != JsonTokenType.Number)
                {
                    throw TypeError(ref reader, json, "u32", field);
                }

                return reader.TryGetUInt32(out var u32)
                    ? u32
                    : throw new RpcException($"invalid value: {Raw(ref reader)}, expected u32 for field `{field.Name}`{Position(json, reader.TokenStartIndex)}");
            default:
                throw new RpcException($"field `{field.Name}` has a type the JSON form does not support");
        }
    }

    private static RpcException TypeError(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, string expected, FieldDescriptor? field)
    {
        var found = reader.TokenType switch
        {
            JsonTokenType.String => "string " + JsonText.Quote(reader.GetString() ?? ""),
            JsonTokenType.True => "boolean `true`",
            JsonTokenType.False => "boolean `false`",
            JsonTokenType.Null => "null",
            JsonTokenType.Number => (reader.TryGetInt64(out _) ? "integer `" : "floating point `") + Raw(ref reader) + "`",
            JsonTokenType.StartObject => "map",
            JsonTokenType.StartArray => "sequence",
            _ => reader.TokenType.ToString(),
        };
        var where = field is null ? "" : $" for field `{field.Name}`";
        return new RpcException($"invalid type: {found}, expected {expected}{where}{Position(json, reader.TokenStartIndex)}");
    }

    private static string Raw(ref Utf8JsonReader reader) => Encoding.UTF8.GetString(reader.ValueSpan);

    /// <summary>" at line L column C" (1-based) for a byte offset, like serde_json's error positions.</summary>
    private static string Position(ReadOnlySpan<byte> json, long offset)
    {
        var before = json[..(int)Math.Min(offset, json.Length)];
        var line = before.Count((byte)'\n') + 1;
        var lastNewline = before.LastIndexOf((byte)'\n');
        var column = before.Length - lastNewline;
        return $" at line {line} column {column}";
    }
}
