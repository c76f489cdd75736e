using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Formats;

/// <summary>
/// Decodes dstack versioned attestations (spec guest-agent-api §5.4): first byte 0x00 → V0 SCALE; a msgpack map
/// prefix (0x80–0x8f, 0xde, 0xdf) → V1 msgpack; anything else is an error. Encodes V0.
/// </summary>
public static class AttestationCodec
{
    /// <summary>Largest attestation accepted (10 MiB).</summary>
    public const int MaxSize = 10 << 20;

    /// <summary>Decodes either wire version; only the TDX platform is supported.</summary>
    /// <exception cref="AttestationFormatException">The input is malformed, truncated, has trailing bytes or uses an unsupported variant.</exception>
    public static VersionedAttestation Decode(ReadOnlyMemory<byte> data)
    {
        if (data.Length == 0)
        {
            throw new AttestationFormatException("attestation is empty");
        }

        if (data.Length > MaxSize)
        {
            throw new AttestationFormatException($"attestation of {data.Length} bytes exceeds {MaxSize}");
        }

        var first = data.Span[0];
        return first switch
        {
            0x00 => DecodeV0(data),
            (>= 0x80 and <= 0x8f) or 0xde or 0xdf => MsgPackAttestation.Decode(data),
            _ => throw new AttestationFormatException($"unknown attestation version byte 0x{first:x2}"),
        };
    }

    /// <summary>Encodes <paramref name="attestation"/> in the V0 SCALE form (version/preimage of events are not carried).</summary>
    public static byte[] EncodeV0(VersionedAttestation attestation)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        if (attestation.Platform != AttestationPlatform.DstackTdx)
        {
            throw new ArgumentException("only the DstackTdx platform can be encoded", nameof(attestation));
        }

        if (attestation.ReportData.Length != VersionedAttestation.ReportDataSize)
        {
            throw new ArgumentException($"report data must be {VersionedAttestation.ReportDataSize} bytes", nameof(attestation));
        }

        var w = new ScaleWriter();
        w.WriteByte(0);
        w.WriteByte((byte)AttestationPlatform.DstackTdx);
        w.WriteBytes(attestation.Quote);
        w.WriteCompact(attestation.EventLog.Count);
        foreach (var e in attestation.EventLog)
        {
            w.WriteUInt32(e.Imr);
            w.WriteUInt32(e.EventType);
            w.WriteBytes(e.Digest);
            w.WriteString(e.Event);
            w.WriteBytes(e.EventPayload);
        }

        w.WriteCompact(attestation.RuntimeEvents.Count);
        foreach (var r in attestation.RuntimeEvents)
        {
            w.WriteString(r.Name);
            w.WriteBytes(r.Payload);
        }

        w.WriteRaw(attestation.ReportData);
        w.WriteString(attestation.Config);
        return w.ToArray();
    }

    private static VersionedAttestation DecodeV0(ReadOnlyMemory<byte> data)
    {
        var r = new ScaleReader(data);
        r.ReadByte("version");
        var variant = r.ReadByte("quote variant");
        if (variant != (byte)AttestationPlatform.DstackTdx)
        {
            var name = Enum.IsDefined(typeof(AttestationPlatform), (int)variant) ? ((AttestationPlatform)variant).ToString() : "unknown";
            throw new AttestationFormatException($"V0 attestation variant {variant} ({name}) is not supported; only DstackTdx (0)");
        }

        var quote = r.ReadBytes("quote");
        var eventCount = r.ReadCount("event_log", 11, ReplayLimits.Default.MaxEvents); // u32 + u32 + three empty compact lengths
        var events = new List<TdxEvent>(eventCount);
        for (var i = 0; i < eventCount; i++)
        {
            events.Add(new TdxEvent
            {
                Imr = r.ReadUInt32(new ScaleField("event_log", i, "imr")),
                EventType = r.ReadUInt32(new ScaleField("event_log", i, "event_type")),
                Digest = r.ReadBytes(new ScaleField("event_log", i, "digest")),
                Event = r.ReadString(new ScaleField("event_log", i, "event")),
                EventPayload = r.ReadBytes(new ScaleField("event_log", i, "event_payload")),
            });
        }

        var runtimeCount = r.ReadCount("runtime_events", 2, ReplayLimits.Default.MaxEvents);
        var runtime = new List<RuntimeEvent>(runtimeCount);
        for (var i = 0; i < runtimeCount; i++)
        {
            var name = r.ReadString(new ScaleField("runtime_events", i, "event"));
            runtime.Add(new RuntimeEvent(name, r.ReadBytes(new ScaleField("runtime_events", i, "payload"))));
        }

        var reportData = r.Take(VersionedAttestation.ReportDataSize, "report_data").ToArray();
        var config = r.ReadString("config");
        if (r.Remaining != 0)
        {
            throw new AttestationFormatException($"V0 attestation has {r.Remaining} trailing bytes at offset {r.Offset}");
        }

        return new VersionedAttestation
        {
            WireVersion = 0,
            Quote = quote,
            EventLog = events,
            RuntimeEvents = runtime,
            ReportData = reportData,
            Config = config,
        };
    }
}
