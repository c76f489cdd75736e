using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Formats;

/// <summary>
/// Maps the V1 msgpack attestation <c>{version:1, platform:{kind,data}, stack:{kind,data}}</c> (named maps) to
/// <see cref="VersionedAttestation"/>. Byte fields are accepted as msgpack <c>bin</c> or as arrays of integers.
/// Decoding walks the input with <see cref="MsgPackReader"/> and materialises only the fields it returns; event
/// lists are capped at <see cref="MaxEvents"/>, so a crafted input cannot cost more than a small multiple of its size.
/// </summary>
internal static class MsgPackAttestation
{
    /// <summary>Most entries accepted in <c>event_log</c> or <c>runtime_events</c> (the replay cap).</summary>
    public static int MaxEvents => ReplayLimits.Default.MaxEvents;

    public static VersionedAttestation Decode(ReadOnlyMemory<byte> data)
    {
        var r = new MsgPackReader(data);
        var root = r.FindFields("version", "platform", "stack");
        if (r.Remaining != 0)
        {
            throw new AttestationFormatException($"msgpack: {r.Remaining} trailing bytes after the value at offset {r.Offset}");
        }

        var version = Integer(r, At(root[0], "version", "attestation"), "version");
        if (version != 1)
        {
            throw new AttestationFormatException($"V1 attestation: version is {version}, expected 1");
        }

        var platform = Map(r, At(root[1], "platform", "attestation"), "platform", "kind", "data");
        var kind = Text(r, At(platform[0], "kind", "platform"), "platform.kind");
        if (kind != "tdx")
        {
            throw new AttestationFormatException($"V1 attestation: platform kind '{kind}' is not supported; only 'tdx'");
        }

        var platformData = Map(r, At(platform[1], "data", "platform"), "platform.data", "quote", "event_log");
        var stack = Map(r, At(root[2], "stack", "attestation"), "stack", "kind", "data");
        var stackKind = Text(r, At(stack[0], "kind", "stack"), "stack.kind");
        if (stackKind is not ("dstack" or "dstack-pod"))
        {
            throw new AttestationFormatException($"V1 attestation: stack kind '{stackKind}' is not supported");
        }

        var stackData = Map(r, At(stack[1], "data", "stack"), "stack.data", "runtime_events", "report_data", "config");
        var events = ReadList(r, At(platformData[1], "event_log", "platform.data"), "platform.data.event_log", "event_log", ReadEvent);
        var runtime = ReadList(r, At(stackData[0], "runtime_events", "stack.data"), "stack.data.runtime_events", "runtime_events", ReadRuntimeEvent);
        var reportData = Bytes(r, At(stackData[1], "report_data", "stack.data"), "stack.data.report_data");
        if (reportData.Length != VersionedAttestation.ReportDataSize)
        {
            throw new AttestationFormatException($"V1 attestation: report_data is {reportData.Length} bytes, expected 64");
        }

        return new VersionedAttestation
        {
            WireVersion = 1,
            Quote = Bytes(r, At(platformData[0], "quote", "platform.data"), "platform.data.quote"),
            EventLog = events,
            RuntimeEvents = runtime,
            ReportData = reportData,
            Config = Text(r, At(stackData[2], "config", "stack.data"), "stack.data.config"),
        };
    }

    private static List<T> ReadList<T>(MsgPackReader r, int offset, string path, string name, Func<MsgPackReader, int, string, T> readItem)
    {
        Expect(r, offset, MsgPackKind.Array, path, "an array");
        var count = r.ReadArrayHeader();
        if (count > MaxEvents)
        {
            throw new AttestationFormatException($"V1 attestation: {path} has {count} entries, more than the {MaxEvents} accepted");
        }

        var items = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            var itemOffset = r.Offset;
            r.Skip(1);
            var next = r.Offset;
            items.Add(readItem(r, itemOffset, $"{name}[{i}]"));
            r.Seek(next);
        }

        return items;
    }

    private static TdxEvent ReadEvent(MsgPackReader r, int offset, string path)
    {
        var f = Map(r, offset, path, "imr", "event_type", "digest", "event", "event_payload", "version", "preimage");
        return new TdxEvent
        {
            Imr = checked((uint)Integer(r, At(f[0], "imr", path), path + ".imr")),
            EventType = checked((uint)Integer(r, At(f[1], "event_type", path), path + ".event_type")),
            Digest = Bytes(r, At(f[2], "digest", path), path + ".digest"),
            Event = Text(r, At(f[3], "event", path), path + ".event"),
            EventPayload = Bytes(r, At(f[4], "event_payload", path), path + ".event_payload"),
            Version = Version(r, f[5], path),
            Preimage = IsAbsentOrNil(r, f[6]) ? null : Bytes(r, f[6], path + ".preimage"),
        };
    }

    private static RuntimeEvent ReadRuntimeEvent(MsgPackReader r, int offset, string path)
    {
        var f = Map(r, offset, path, "event", "payload", "version");
        return new(
            Text(r, At(f[0], "event", path), path + ".event"),
            Bytes(r, At(f[1], "payload", path), path + ".payload"),
            Version(r, f[2], path) ?? 1);
    }

    private static int? Version(MsgPackReader r, int offset, string path)
    {
        if (IsAbsentOrNil(r, offset))
        {
            return null;
        }

        var version = Integer(r, offset, path + ".version");
        return version switch
        {
            1 => null,
            2 => 2,
            _ => throw new AttestationFormatException($"V1 attestation: {path}.version {version} is not 1 or 2"),
        };
    }

    private static bool IsAbsentOrNil(MsgPackReader r, int offset)
    {
        if (offset < 0)
        {
            return true;
        }

        r.Seek(offset);
        return r.PeekKind() == MsgPackKind.Nil;
    }

    /// <summary>The offset of a required field, or the "has no field" error.</summary>
    private static int At(int offset, string name, string path) => offset >= 0
        ? offset
        : throw new AttestationFormatException($"V1 attestation: {path} has no field '{name}'");

    private static int[] Map(MsgPackReader r, int offset, string path, params ReadOnlySpan<string> names)
    {
        Expect(r, offset, MsgPackKind.Map, path, "a map");
        return r.FindFields(names);
    }

    private static void Expect(MsgPackReader r, int offset, MsgPackKind kind, string path, string expected)
    {
        r.Seek(offset);
        var actual = r.PeekKind();
        if (actual != kind)
        {
            throw new AttestationFormatException($"V1 attestation: {path} is a {actual}, expected {expected}");
        }
    }

    private static long Integer(MsgPackReader r, int offset, string path)
    {
        r.Seek(offset);
        if (r.PeekKind() != MsgPackKind.Integer || !r.TryReadInt64(out var value))
        {
            throw new AttestationFormatException($"V1 attestation: {path} is not an integer in range");
        }

        return value;
    }

    private static string Text(MsgPackReader r, int offset, string path)
    {
        Expect(r, offset, MsgPackKind.String, path, "a string");
        return r.ReadString();
    }

    private static byte[] Bytes(MsgPackReader r, int offset, string path)
    {
        r.Seek(offset);
        var kind = r.PeekKind();
        if (kind == MsgPackKind.Binary)
        {
            return r.ReadBinary();
        }

        if (kind == MsgPackKind.Array)
        {
            var result = new byte[r.ReadArrayHeader()];
            for (var i = 0; i < result.Length; i++)
            {
                if (r.PeekKind() != MsgPackKind.Integer || !r.TryReadInt64(out var item) || item is < 0 or > 255)
                {
                    throw new AttestationFormatException($"V1 attestation: {path}[{i}] is not a byte");
                }

                result[i] = (byte)item;
            }

            return result;
        }

        throw new AttestationFormatException($"V1 attestation: {path} is a {kind}, expected bytes");
    }
}
