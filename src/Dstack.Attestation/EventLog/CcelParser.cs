using System.Text;

namespace Dstack.Attestation.EventLog;

/// <summary>
/// Parses the CCEL boot event log area (a TCG crypto-agile log) exactly as spec tdx-boot §3.3 describes: the
/// SHA-1-format Spec ID header is parsed but not returned, then <c>TCG_PCR_EVENT2</c> records follow until a
/// record whose MrIndex is 0xFFFFFFFF or the end of the data.
/// </summary>
public static class CcelParser
{
    /// <summary>Upper bound for the digest count and the event-data size of one record.</summary>
    public const int MaxFieldLength = 65536;

    /// <summary>The ASCII payload of the three RTMR0 "ACPI DATA" events.</summary>
    public static ReadOnlySpan<byte> AcpiDataPayload => "ACPI DATA"u8;

    /// <summary>Most records read (the replay cap on events), so a crafted area cannot size the list by its length alone.</summary>
    public static int MaxRecords => ReplayLimits.Default.MaxEvents;

    private const uint Terminator = 0xFFFFFFFF;
    private static readonly string[] AcpiLabels = ["acpi-loader", "acpi-rsdp", "acpi-tables"];

    /// <summary>
    /// Parses <paramref name="ccel"/> into event-log entries (0-based <c>imr</c>, MrIndex 0 dropped), with the
    /// ACPI DATA events labelled when <paramref name="labelAcpiEvents"/> is set.
    /// </summary>
    /// <exception cref="EventLogFormatException">The data is malformed; the message names the record, offset and field.</exception>
    public static IReadOnlyList<TdxEvent> Parse(ReadOnlySpan<byte> ccel, bool labelAcpiEvents = true)
    {
        var reader = new SpanReader(ccel, "CCEL");
        ReadSpecIdHeader(ref reader);

        var events = new List<TdxEvent>();
        for (var record = 1; reader.Remaining > 0; record++)
        {
            var start = reader.Offset;
            if (record > MaxRecords)
            {
                throw new EventLogFormatException($"CCEL record {record} at offset {start}: more than {MaxRecords} records");
            }

            var what = $"record {record} at offset {start}";
            if (reader.Remaining < 4)
            {
                throw new EventLogFormatException($"CCEL {what}: truncated MrIndex ({reader.Remaining} bytes left)");
            }

            var mrIndex = reader.ReadUInt32(what + " MrIndex");
            if (mrIndex == Terminator)
            {
                break;
            }

            var eventType = reader.ReadUInt32(what + " eventType");
            var digestCount = reader.ReadUInt32(what + " digestCount");
            if (digestCount > MaxFieldLength)
            {
                throw new EventLogFormatException($"CCEL {what}: digestCount {digestCount} exceeds {MaxFieldLength}");
            }

            if (digestCount != 1)
            {
                throw new EventLogFormatException($"CCEL {what}: expected exactly one digest, found {digestCount}");
            }

            var algorithmId = reader.ReadUInt16(what + " digest algorithmId");
            var digestSize = DigestSize(algorithmId)
                ?? throw new EventLogFormatException($"CCEL {what}: unknown digest algorithm 0x{algorithmId:x4}");
            var digest = reader.Take(digestSize, what + " digest").ToArray();
            var eventSize = reader.ReadUInt32(what + " eventSize");
            if (eventSize > MaxFieldLength)
            {
                throw new EventLogFormatException($"CCEL {what}: eventSize {eventSize} exceeds {MaxFieldLength}");
            }

            var payload = reader.Take((int)eventSize, what + " event data").ToArray();
            if (mrIndex == 0)
            {
                continue;
            }

            events.Add(new TdxEvent
            {
                Imr = mrIndex - 1,
                EventType = eventType,
                Digest = digest,
                Event = string.Empty,
                EventPayload = payload,
            });
        }

        return labelAcpiEvents ? LabelAcpiEvents(events) : events;
    }

    /// <summary>
    /// Renames the 1st, 2nd and 3rd RTMR0 EV_PLATFORM_CONFIG_FLAGS events whose payload is exactly "ACPI DATA" to
    /// <c>acpi-loader</c>, <c>acpi-rsdp</c>, <c>acpi-tables</c>; other events are returned unchanged.
    /// </summary>
    public static IReadOnlyList<TdxEvent> LabelAcpiEvents(IReadOnlyList<TdxEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var result = new List<TdxEvent>(events.Count);
        var seen = 0;
        foreach (var e in events)
        {
            if (seen < AcpiLabels.Length && IsAcpiDataEvent(e))
            {
                result.Add(e with { Event = AcpiLabels[seen++] });
            }
            else
            {
                result.Add(e);
            }
        }

        return result;
    }

    /// <summary>True for an RTMR0 EV_PLATFORM_CONFIG_FLAGS event whose payload is exactly "ACPI DATA".</summary>
    public static bool IsAcpiDataEvent(TdxEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Imr == 0 && e.EventType == TdxEventTypes.PlatformConfigFlags && e.EventPayload.AsSpan().SequenceEqual(AcpiDataPayload);
    }

    /// <summary>Digest size in bytes for a TCG algorithm id, or null if unknown.</summary>
    internal static int? DigestSize(ushort algorithmId) => algorithmId switch
    {
        0x0004 => 20,
        0x000B => 32,
        0x000C => 48,
        0x000D => 64,
        _ => null,
    };

    private static void ReadSpecIdHeader(ref SpanReader reader)
    {
        const string What = "Spec ID header record";
        reader.ReadUInt32(What + " pcrIndex");
        var eventType = reader.ReadUInt32(What + " eventType");
        if (eventType != TdxEventTypes.NoAction)
        {
            throw new EventLogFormatException($"CCEL {What}: eventType {eventType} is not EV_NO_ACTION (3)");
        }

        reader.Take(20, What + " SHA-1 digest");
        var size = reader.ReadUInt32(What + " eventSize");
        if (size > MaxFieldLength)
        {
            throw new EventLogFormatException($"CCEL {What}: eventSize {size} exceeds {MaxFieldLength}");
        }

        var body = new SpanReader(reader.Take((int)size, What + " event data"), "CCEL " + What);
        var signature = body.Take(16, "signature");
        if (!signature.SequenceEqual("Spec ID Event03\0"u8))
        {
            throw new EventLogFormatException(
                $"CCEL {What}: signature is '{Encoding.ASCII.GetString(signature).TrimEnd('\0')}', expected 'Spec ID Event03'");
        }

        body.ReadUInt32("platformClass");
        body.Take(4, "specVersion/errata/uintnSize");
        var algorithms = body.ReadUInt32("numberOfAlgorithms");
        if (algorithms > MaxFieldLength)
        {
            throw new EventLogFormatException($"CCEL {What}: numberOfAlgorithms {algorithms} exceeds {MaxFieldLength}");
        }

        for (var i = 0; i < algorithms; i++)
        {
            body.ReadUInt16($"algorithm {i} id");
            body.ReadUInt16($"algorithm {i} digestSize");
        }

        var vendorSize = body.ReadByte("vendorInfoSize");
        body.Take(vendorSize, "vendorInfo");
    }
}
