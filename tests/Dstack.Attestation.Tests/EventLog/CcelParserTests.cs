using Dstack.Attestation.EventLog;
using Dstack.Tests;

namespace Dstack.Attestation.Tests.EventLog;

public class CcelParserTests
{
    private const string Rtmr0 = "274c2344116db7c663470693b5ba62b8621eac28cb41d2f816ddf188f9f423f900a1c44d32386fd3c993dc814e62af9d";
    private const string Rtmr1 = "bdcf4ee0f7fdfe7c73fbb19ded73193aee23a6726b86d3b282ea097cf4c9ed7a0db21b5c1ccd513e410d90e310836b26";

    [Fact]
    public void Fixture_parses_into_18_events_that_replay_to_the_documented_rtmrs()
    {
        var events = CcelParser.Parse(SharedFiles.ReadFixture("eventlog-ccel.bin"));

        Assert.Equal(18, events.Count);
        // the record MrIndex sequence is 1×11, 2, 1, 1, 2×4 (13 RTMR0 + 5 RTMR1)
        Assert.Equal(13, events.Count(e => e.Imr == 0));
        Assert.Equal(5, events.Count(e => e.Imr == 1));
        var rtmrs = RtmrReplay.Replay(events);
        Assert.Equal(Rtmr0, rtmrs.ToHex(0));
        Assert.Equal(Rtmr1, rtmrs.ToHex(1));
        Assert.Equal(new string('0', 96), rtmrs.ToHex(2));
        Assert.Equal(new string('0', 96), rtmrs.ToHex(3));
    }

    [Fact]
    public void Acpi_data_events_are_labelled_in_order()
    {
        var events = CcelParser.Parse(SharedFiles.ReadFixture("eventlog-ccel.bin"));

        var labelled = events.Where(e => e.Event.Length > 0).ToList();
        Assert.Equal(["acpi-loader", "acpi-rsdp", "acpi-tables"], labelled.Select(e => e.Event));
        Assert.All(labelled, e => Assert.Equal("414350492044415441", Convert.ToHexStringLower(e.EventPayload)));
        Assert.All(labelled, e => Assert.Equal(10u, e.EventType));

        var unlabelled = CcelParser.Parse(SharedFiles.ReadFixture("eventlog-ccel.bin"), labelAcpiEvents: false);
        Assert.All(unlabelled, e => Assert.Equal(string.Empty, e.Event));
    }

    [Fact]
    public void Every_truncation_of_a_small_log_gives_events_or_a_typed_error()
    {
        var data = SharedFiles.ReadFixture("eventlog-ccel.bin").AsSpan(0, 1937).ToArray(); // through the terminator
        Assert.Equal(18, CcelParser.Parse(data).Count);
        var counts = new List<int>();
        for (var length = 0; length < data.Length; length++)
        {
            try
            {
                counts.Add(CcelParser.Parse(data.AsSpan(0, length)).Count);
            }
            catch (EventLogFormatException ex)
            {
                Assert.Contains("offset", ex.Message, StringComparison.Ordinal);
            }
        }

        // one clean stop after the header and after each of the 18 records (end of data without terminator)
        Assert.Equal(Enumerable.Range(0, 19), counts);
    }

    [Fact]
    public void Two_digests_in_one_event_is_an_error_naming_the_record()
    {
        var log = SyntheticLog(mrIndex: 1, digestCount: 2);
        var ex = Assert.Throws<EventLogFormatException>(() => CcelParser.Parse(log));
        Assert.Contains("record 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("exactly one digest", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_counts_and_unknown_algorithms_are_rejected()
    {
        Assert.Contains("exceeds 65536", Assert.Throws<EventLogFormatException>(() => CcelParser.Parse(SyntheticLog(1, digestCount: 70000))).Message, StringComparison.Ordinal);
        Assert.Contains("eventSize", Assert.Throws<EventLogFormatException>(() => CcelParser.Parse(SyntheticLog(1, eventSize: 65537))).Message, StringComparison.Ordinal);
        Assert.Contains("algorithm 0x0099", Assert.Throws<EventLogFormatException>(() => CcelParser.Parse(SyntheticLog(1, algorithm: 0x99))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MrIndex_zero_is_dropped_and_indexes_are_shifted()
    {
        Assert.Empty(CcelParser.Parse(SyntheticLog(mrIndex: 0)));
        var e = Assert.Single(CcelParser.Parse(SyntheticLog(mrIndex: 3)));
        Assert.Equal(2u, e.Imr);
        Assert.Equal(48, e.Digest.Length);
        Assert.Equal("abc"u8.ToArray(), e.EventPayload);
    }

    [Fact]
    public void Header_with_wrong_signature_is_rejected()
    {
        var log = SyntheticLog(1);
        log[32] = (byte)'X';
        Assert.Contains("signature", Assert.Throws<EventLogFormatException>(() => CcelParser.Parse(log)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_4_MiB_area_of_tiny_records_stops_at_the_record_cap_within_a_bounded_allocation()
    {
        var one = SyntheticLog(0, eventSize: 0); // header, one MrIndex-0 record with empty data, terminator
        var header = one.AsSpan(0, 65);
        var record = one.AsSpan(65, one.Length - 65 - 4 - 3); // without the terminator (and the "abc" the helper appends)
        var input = new byte[4 << 20];
        header.CopyTo(input);
        for (var offset = 65; offset + record.Length <= input.Length; offset += record.Length)
        {
            record.CopyTo(input.AsSpan(offset));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<EventLogFormatException>(() => CcelParser.Parse(input));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains($"more than {CcelParser.MaxRecords} records", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < 4L * input.Length, $"allocated {allocated} bytes for a {input.Length}-byte area");
    }

    /// <summary>A Spec ID header (as in the fixture) followed by one record and a terminator.</summary>
    internal static byte[] SyntheticLog(uint mrIndex, uint digestCount = 1, ushort algorithm = 0x0C, uint eventSize = 3)
    {
        var fixture = SharedFiles.ReadFixture("eventlog-ccel.bin");
        using var ms = new MemoryStream();
        ms.Write(fixture, 0, 65); // header record: 32 + 33 bytes
        using var w = new BinaryWriter(ms);
        w.Write(mrIndex);
        w.Write(10u);
        w.Write(digestCount);
        w.Write(algorithm);
        w.Write(new byte[48]);
        w.Write(eventSize);
        w.Write("abc"u8.ToArray());
        w.Write(0xFFFFFFFFu);
        return ms.ToArray();
    }
}
