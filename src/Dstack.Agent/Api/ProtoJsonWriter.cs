using System.Buffers;
using System.Collections;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Dstack.Agent.Api;

/// <summary>
/// Serialises a protobuf message as dstack's JSON: proto field names, declaration order, every field present
/// (no default omission), <c>bytes</c> as lowercase hex, integers as numbers, proto3 <c>optional</c> unset as
/// <c>null</c>, compact, ASCII-only. Driven by the message descriptor (no reflection-based serializer).
/// </summary>
internal static class ProtoJsonWriter
{
    /// <summary>Fields dstack leaves out of the JSON when they are empty (<c>skip_serializing_if</c>).</summary>
    private static readonly HashSet<string> OmittedWhenEmpty = new(StringComparer.Ordinal)
    {
        "dstack_guest.GetQuoteResponse.attestation",
    };

    /// <summary>The JSON bytes of <paramref name="message"/>.</summary>
    public static byte[] Write(IMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(message.CalculateSize() * 2 + 256);
        WriteMessage(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteMessage(ArrayBufferWriter<byte> output, IMessage message)
    {
        JsonText.WriteRaw(output, "{");
        var first = true;
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (OmittedWhenEmpty.Contains(field.FullName) && value is ByteString { IsEmpty: true })
            {
                continue;
            }

            if (!first)
            {
                JsonText.WriteRaw(output, ",");
            }

            first = false;
            JsonText.WriteString(output, field.Name);
            JsonText.WriteRaw(output, ":");
            if (field.IsRepeated)
            {
                JsonText.WriteRaw(output, "[");
                var firstItem = true;
                foreach (var item in (IEnumerable)value)
                {
                    if (!firstItem)
                    {
                        JsonText.WriteRaw(output, ",");
                    }

                    firstItem = false;
                    WriteValue(output, field, item);
                }

                JsonText.WriteRaw(output, "]");
            }
            else if (field.HasPresence && !field.Accessor.HasValue(message))
            {
                JsonText.WriteRaw(output, "null");
            }
            else
            {
                WriteValue(output, field, value);
            }
        }

        JsonText.WriteRaw(output, "}");
    }

    private static void WriteValue(ArrayBufferWriter<byte> output, FieldDescriptor field, object value)
    {
        switch (field.FieldType)
        {
            case FieldType.String:
                JsonText.WriteString(output, (string)value);
                break;
            case FieldType.Bytes:
                JsonText.WriteHexString(output, ((ByteString)value).Span);
                break;
            case FieldType.Bool:
                JsonText.WriteRaw(output, (bool)value ? "true" : "false");
                break;
            case FieldType.Message:
                WriteMessage(output, (IMessage)value);
                break;
            case FieldType.Enum:
                JsonText.WriteRaw(output, Convert.ToInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            default:
                JsonText.WriteRaw(output, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "0");
                break;
        }
    }
}
