using System.Buffers.Binary;

namespace Dstack.Attestation.EventLog;

/// <summary>
/// Writes a CCEL boot event log area (spec tdx-boot §3.3) that <see cref="CcelParser"/> reads back: a SHA-1-format
/// Spec ID header declaring one algorithm (SHA-384), one <c>TCG_PCR_EVENT2</c> record per event (MrIndex =
/// <c>imr + 1</c>, one SHA-384 digest, the payload), then a 0xFFFFFFFF terminator. Event names are not written
/// (the parser derives the ACPI labels from the payloads).
/// </summary>
public static class CcelWriter
{
    private const ushort Sha384AlgorithmId = 0x000C;
    private const int DigestSize = 48;

    /// <summary>Encodes <paramref name="events"/> in order.</summary>
    /// <exception cref="ArgumentException">An event's digest is not 48 bytes, its imr is not 0..3, or its payload exceeds <see cref="CcelParser.MaxFieldLength"/>.</exception>
    public static byte[] Write(IEnumerable<TdxEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        using var ms = new MemoryStream();
        WriteHeader(ms);
        foreach (var e in events)
        {
            ArgumentNullException.ThrowIfNull(e);
            if (e.Digest.Length != DigestSize)
            {
                throw new ArgumentException($"event digest must be {DigestSize} bytes, got {e.Digest.Length}", nameof(events));
            }

            if (e.Imr > 3)
            {
                throw new ArgumentException($"event imr {e.Imr} is not an RTMR index (0..3)", nameof(events));
            }

            if (e.EventPayload.Length > CcelParser.MaxFieldLength)
            {
                throw new ArgumentException($"event payload exceeds {CcelParser.MaxFieldLength} bytes", nameof(events));
            }

            WriteRecord(ms, e.Imr + 1, e.EventType, e.Digest, e.EventPayload);
        }

        WriteUInt32(ms, 0xFFFFFFFF);
        return ms.ToArray();
    }

    /// <summary>The header record: pcrIndex 1, EV_NO_ACTION, a zero SHA-1 digest, a Spec ID Event03 body.</summary>
    internal static void WriteHeader(MemoryStream ms)
    {
        var body = new List<byte>();
        body.AddRange("Spec ID Event03\0"u8.ToArray());
        body.AddRange(U32(0)); // platformClass
        body.AddRange([0, 2, 0, 2]); // spec 2.0, errata 0, uintnSize 2 (64-bit)
        body.AddRange(U32(1));
        body.AddRange([0x0C, 0x00, DigestSize, 0x00]); // SHA-384, 48 bytes
        body.Add(0); // no vendor info
        WriteUInt32(ms, 1);
        WriteUInt32(ms, TdxEventTypes.NoAction);
        ms.Write(new byte[20]);
        WriteUInt32(ms, (uint)body.Count);
        ms.Write(body.ToArray());
    }

    /// <summary>One <c>TCG_PCR_EVENT2</c> record with a single SHA-384 digest.</summary>
    internal static void WriteRecord(MemoryStream ms, uint mrIndex, uint eventType, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> data)
    {
        WriteUInt32(ms, mrIndex);
        WriteUInt32(ms, eventType);
        WriteUInt32(ms, 1);
        Span<byte> algorithm = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(algorithm, Sha384AlgorithmId);
        ms.Write(algorithm);
        ms.Write(digest);
        WriteUInt32(ms, (uint)data.Length);
        ms.Write(data);
    }

    private static void WriteUInt32(MemoryStream ms, uint value) => ms.Write(U32(value));

    private static byte[] U32(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return b;
    }
}
