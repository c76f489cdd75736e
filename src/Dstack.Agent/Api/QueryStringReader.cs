using System.Collections;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Dstack.Agent.Api;

/// <summary>
/// Reads the GET form of a request (serde_qs style): <c>path=a/b&amp;usage_ra_tls=true&amp;alt_names[0]=x</c>,
/// percent-decoding with <c>+</c> as space, booleans as <c>true</c>/<c>false</c>, bytes as hex, repeated fields as
/// <c>name[i]</c> (ordered by index) or <c>name[]</c>. Unknown keys (including <c>json</c>) are ignored.
/// </summary>
internal static class QueryStringReader
{
    /// <summary>Merges the raw query string (without <c>?</c>) into <paramref name="message"/>.</summary>
    public static void Merge(IMessage message, string query)
    {
        var lists = new Dictionary<FieldDescriptor, List<(long Index, string Value)>>();
        foreach (var part in query.Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(equals < 0 ? part : part[..equals]);
            var value = equals < 0 ? "" : Decode(part[(equals + 1)..]);
            var bracket = key.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? key : key[..bracket];
            var field = message.Descriptor.FindFieldByName(name);
            if (field is null)
            {
                continue;
            }

            if (field.IsRepeated)
            {
                if (!lists.TryGetValue(field, out var items))
                {
                    items = [];
                    lists[field] = items;
                }

                items.Add((ParseIndex(key, bracket, field, items.Count), value));
            }
            else if (bracket >= 0)
            {
                throw new RpcException($"invalid type: sequence, expected a single value for field `{field.Name}` (query key `{key}`)");
            }
            else
            {
                field.Accessor.SetValue(message, Convert(field, value));
            }
        }

        foreach (var (field, items) in lists)
        {
            var list = (IList)field.Accessor.GetValue(message);
            foreach (var (_, value) in items.OrderBy(i => i.Index))
            {
                list.Add(Convert(field, value));
            }
        }
    }

    private static long ParseIndex(string key, int bracket, FieldDescriptor field, int position)
    {
        if (bracket < 0)
        {
            return (long)int.MaxValue + position;
        }

        var inner = key[(bracket + 1)..];
        if (!inner.EndsWith(']'))
        {
            throw new RpcException($"invalid query key `{key}` for field `{field.Name}`");
        }

        inner = inner[..^1];
        if (inner.Length == 0)
        {
            return (long)int.MaxValue + position;
        }

        return uint.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : throw new RpcException($"invalid index in query key `{key}` for field `{field.Name}`");
    }

    private static object Convert(FieldDescriptor field, string value) => field.FieldType switch
    {
        FieldType.String => value,
        FieldType.Bytes => ByteString.CopyFrom(Hex.Decode(field.Name, value)),
        FieldType.Bool => value switch
        {
            "true" => true,
            "false" => false,
            _ => throw new RpcException($"invalid value: {JsonText.Quote(value)}, expected a boolean for field `{field.Name}`"),
        },
        FieldType.UInt64 or FieldType.Fixed64 => ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var u64)
            ? u64
            : throw new RpcException($"invalid value: {JsonText.Quote(value)}, expected u64 for field `{field.Name}`"),
        FieldType.UInt32 or FieldType.Fixed32 => uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var u32)
            ? u32
            : throw new RpcException($"invalid value: {JsonText.Quote(value)}, expected u32 for field `{field.Name}`"),
        _ => throw new RpcException($"field `{field.Name}` has a type the query form does not support"),
    };

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
