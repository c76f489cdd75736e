using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Formats;

/// <summary>
/// Maps the V1 msgpack attestation <c>{version:1, platform:{kind,data}, stack:{kind,data}}</c> (named maps) to
/// <see cref="VersionedAttestation"/>. Byte fields are accepted as msgpack <c>bin</c> or as arrays of integers.
/// </summary>
internal static class MsgPackAttestation
{
    public static VersionedAttestation Decode(ReadOnlyMemory<byte> data)
    {
        var root = MsgPackReader.ReadSingle(data);
        var version = Integer(Field(root, "version", "attestation"), "version");
        if (version != 1)
        {
            throw new AttestationFormatException($"V1 attestation: version is {version}, expected 1");
        }

        var platform = Field(root, "platform", "attestation");
        var kind = Text(Field(platform, "kind", "platform"), "platform.kind");
        if (kind != "tdx")
        {
            throw new AttestationFormatException($"V1 attestation: platform kind '{kind}' is not supported; only 'tdx'");
        }

        var platformData = Field(platform, "data", "platform");
        var stack = Field(root, "stack", "attestation");
        var stackKind = Text(Field(stack, "kind", "stack"), "stack.kind");
        if (stackKind is not ("dstack" or "dstack-pod"))
        {
            throw new AttestationFormatException($"V1 attestation: stack kind '{stackKind}' is not supported");
        }

        var stackData = Field(stack, "data", "stack");
        var events = Array(Field(platformData, "event_log", "platform.data"), "platform.data.event_log")
            .Select((e, i) => ReadEvent(e, $"event_log[{i}]")).ToList();
        var runtime = Array(Field(stackData, "runtime_events", "stack.data"), "stack.data.runtime_events")
            .Select((e, i) => ReadRuntimeEvent(e, $"runtime_events[{i}]")).ToList();
        var reportData = Bytes(Field(stackData, "report_data", "stack.data"), "stack.data.report_data");
        if (reportData.Length != VersionedAttestation.ReportDataSize)
        {
            throw new AttestationFormatException($"V1 attestation: report_data is {reportData.Length} bytes, expected 64");
        }

        return new VersionedAttestation
        {
            WireVersion = 1,
            Quote = Bytes(Field(platformData, "quote", "platform.data"), "platform.data.quote"),
            EventLog = events,
            RuntimeEvents = runtime,
            ReportData = reportData,
            Config = Text(Field(stackData, "config", "stack.data"), "stack.data.config"),
        };
    }

    private static TdxEvent ReadEvent(MsgPackValue value, string path)
    {
        var preimage = OptionalField(value, "preimage", path);
        return new TdxEvent
        {
            Imr = checked((uint)Integer(Field(value, "imr", path), path + ".imr")),
            EventType = checked((uint)Integer(Field(value, "event_type", path), path + ".event_type")),
            Digest = Bytes(Field(value, "digest", path), path + ".digest"),
            Event = Text(Field(value, "event", path), path + ".event"),
            EventPayload = Bytes(Field(value, "event_payload", path), path + ".event_payload"),
            Version = Version(OptionalField(value, "version", path), path),
            Preimage = preimage is null or { Kind: MsgPackKind.Nil } ? null : Bytes(preimage, path + ".preimage"),
        };
    }

    private static RuntimeEvent ReadRuntimeEvent(MsgPackValue value, string path)
        => new(
            Text(Field(value, "event", path), path + ".event"),
            Bytes(Field(value, "payload", path), path + ".payload"),
            Version(OptionalField(value, "version", path), path) ?? 1);

    private static int? Version(MsgPackValue? value, string path)
    {
        if (value is null or { Kind: MsgPackKind.Nil })
        {
            return null;
        }

        var version = Integer(value, path + ".version");
        return version switch
        {
            1 => null,
            2 => 2,
            _ => throw new AttestationFormatException($"V1 attestation: {path}.version {version} is not 1 or 2"),
        };
    }

    private static MsgPackValue Field(MsgPackValue map, string name, string path)
        => OptionalField(map, name, path) ?? throw new AttestationFormatException($"V1 attestation: {path} has no field '{name}'");

    private static MsgPackValue? OptionalField(MsgPackValue map, string name, string path)
    {
        if (map.Kind != MsgPackKind.Map)
        {
            throw new AttestationFormatException($"V1 attestation: {path} is a {map.Kind}, expected a map");
        }

        foreach (var entry in map.Entries)
        {
            if (entry.Key.Kind == MsgPackKind.String && entry.Key.Text == name)
            {
                return entry.Value;
            }
        }

        return null;
    }

    private static long Integer(MsgPackValue value, string path)
    {
        if (value.Kind != MsgPackKind.Integer || (!value.IsNegative && value.UnsignedInteger > long.MaxValue))
        {
            throw new AttestationFormatException($"V1 attestation: {path} is not an integer in range");
        }

        return value.Integer;
    }

    private static string Text(MsgPackValue value, string path) => value.Kind == MsgPackKind.String
        ? value.Text
        : throw new AttestationFormatException($"V1 attestation: {path} is a {value.Kind}, expected a string");

    private static IReadOnlyList<MsgPackValue> Array(MsgPackValue value, string path) => value.Kind == MsgPackKind.Array
        ? value.Items
        : throw new AttestationFormatException($"V1 attestation: {path} is a {value.Kind}, expected an array");

    private static byte[] Bytes(MsgPackValue value, string path)
    {
        if (value.Kind == MsgPackKind.Binary)
        {
            return value.Bytes;
        }

        if (value.Kind == MsgPackKind.Array)
        {
            var result = new byte[value.Items.Count];
            for (var i = 0; i < result.Length; i++)
            {
                var item = value.Items[i];
                if (item.Kind != MsgPackKind.Integer || item.IsNegative || item.UnsignedInteger > 255)
                {
                    throw new AttestationFormatException($"V1 attestation: {path}[{i}] is not a byte");
                }

                result[i] = (byte)item.UnsignedInteger;
            }

            return result;
        }

        throw new AttestationFormatException($"V1 attestation: {path} is a {value.Kind}, expected bytes");
    }
}
