using System.Security.Cryptography;

namespace Dstack.Attestation.EventLog;

/// <summary>
/// Replays an event log into RTMR0–3 (spec tdx-boot §3.1, guest-agent-api §5.5): each register starts as 48 zero
/// bytes and is folded with <c>SHA-384(RTMR ‖ digest)</c>. Boot events use their logged digest; runtime events
/// (type 0x08000001 in RTMR3) use a digest recomputed from name, payload and version. Time is linear in the input.
/// </summary>
public static class RtmrReplay
{
    /// <summary>Replays every event in <paramref name="events"/>.</summary>
    /// <exception cref="EventLogFormatException">An event is malformed, inconsistent or over a limit.</exception>
    public static RtmrValues Replay(IEnumerable<TdxEvent> events, ReplayLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        limits ??= ReplayLimits.Default;
        var registers = new byte[RtmrValues.Count][];
        for (var i = 0; i < registers.Length; i++)
        {
            registers[i] = new byte[RtmrValues.Size];
        }

        Span<byte> buffer = stackalloc byte[RtmrValues.Size * 2];
        var count = 0;
        long total = 0;
        foreach (var e in events)
        {
            ArgumentNullException.ThrowIfNull(e);
            if (++count > limits.MaxEvents)
            {
                throw new EventLogFormatException($"event log has more than {limits.MaxEvents} events");
            }

            total += CheckSizes(e, count - 1, limits);
            if (total > limits.MaxTotalBytes)
            {
                throw new EventLogFormatException($"event log exceeds {limits.MaxTotalBytes} bytes in total");
            }

            if (e.Imr >= RtmrValues.Count)
            {
                throw new EventLogFormatException($"event {count - 1}: imr {e.Imr} is not an RTMR index (0..3)");
            }

            var digest = EffectiveDigest(e, count - 1);
            registers[e.Imr].CopyTo(buffer);
            digest.CopyTo(buffer[RtmrValues.Size..]);
            SHA384.HashData(buffer, registers[e.Imr]);
        }

        return RtmrValues.Wrap(registers);
    }

    /// <summary>Replays <paramref name="events"/> and compares the result with <paramref name="expected"/>, naming each register that differs.</summary>
    public static ReplayCheck Check(IEnumerable<TdxEvent> events, RtmrValues expected, ReplayLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var replayed = Replay(events, limits);
        var mismatches = new List<RtmrMismatch>();
        for (var i = 0; i < RtmrValues.Count; i++)
        {
            if (!CryptographicOperations.FixedTimeEquals(replayed.Span(i), expected.Span(i)))
            {
                mismatches.Add(new RtmrMismatch(i, expected.ToHex(i), replayed.ToHex(i)));
            }
        }

        return new ReplayCheck(replayed, mismatches);
    }

    /// <summary>
    /// The digest folded for <paramref name="e"/>: recomputed for runtime events (after checking a V2 preimage, if
    /// present, against the canonical form and the logged digest), the logged 48-byte digest otherwise.
    /// </summary>
    public static byte[] EffectiveDigest(TdxEvent e, int position = -1)
    {
        ArgumentNullException.ThrowIfNull(e);
        var where = position >= 0 ? $"event {position} ('{e.Event}')" : $"event '{e.Event}'";
        if (!e.IsRuntimeEvent)
        {
            if (e.Digest.Length != RtmrValues.Size)
            {
                throw new EventLogFormatException($"{where}: boot event digest must be {RtmrValues.Size} bytes, got {e.Digest.Length}");
            }

            return e.Digest;
        }

        var version = e.Version ?? 1;
        if (version is not (1 or 2))
        {
            throw new EventLogFormatException($"{where}: unsupported runtime event version {version}");
        }

        var preimage = RuntimeEventDigest.Preimage(e.Event, e.EventPayload, version);
        var digest = SHA384.HashData(preimage);
        if (e.Preimage is not null)
        {
            if (version != 2)
            {
                throw new EventLogFormatException($"{where}: a preimage is only allowed on version 2 events");
            }

            if (!e.Preimage.AsSpan().SequenceEqual(preimage))
            {
                throw new EventLogFormatException($"{where}: preimage is not the canonical form of the event name and payload");
            }

            if (e.Digest.Length != 0 && !SHA384.HashData(e.Preimage).AsSpan().SequenceEqual(e.Digest))
            {
                throw new EventLogFormatException($"{where}: preimage does not hash to the logged digest");
            }
        }

        return digest;
    }

    private static long CheckSizes(TdxEvent e, int position, ReplayLimits limits)
    {
        if (e.EventPayload.Length > limits.MaxPayloadBytes || (e.Preimage?.Length ?? 0) > limits.MaxPayloadBytes * 2L + 256)
        {
            throw new EventLogFormatException($"event {position}: payload exceeds {limits.MaxPayloadBytes} bytes");
        }

        if (e.Digest.Length > 64)
        {
            throw new EventLogFormatException($"event {position}: digest of {e.Digest.Length} bytes is too long");
        }

        return e.EventPayload.Length + e.Digest.Length + (long)e.Event.Length + (e.Preimage?.Length ?? 0);
    }
}
