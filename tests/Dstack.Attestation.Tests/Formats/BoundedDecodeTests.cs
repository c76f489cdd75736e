using System.Buffers.Binary;
using Dstack.Attestation.Csr;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;

namespace Dstack.Attestation.Tests.Formats;

/// <summary>
/// Crafted 4 MiB inputs whose declared counts are huge: each decode must fail with a clear format error and
/// allocate less than a small multiple of the input (measured on this thread, so the assertion is about memory, not time).
/// </summary>
public class BoundedDecodeTests
{
    private const int InputSize = 4 << 20;
    private const long Budget = 4L * InputSize;

    [Fact]
    public void V1_with_an_unknown_field_holding_millions_of_values_is_skipped_without_materialising_them()
    {
        // {"junk": [0, 0, 0, ... 4M times], "version": 1} -- no platform.
        var input = new byte[InputSize];
        var w = new SpanWriter(input);
        w.Byte(0x82).FixStr("junk").Byte(0xdd).UInt32BigEndian((uint)(InputSize - 20));
        var itemsEnd = InputSize - 9;
        w.Skip(itemsEnd - w.Offset); // zero bytes are positive fixints
        w.FixStr("version").Byte(1);
        Assert.Equal(InputSize, w.Offset);

        var (ex, allocated) = Measure(() => AttestationCodec.Decode(input));

        Assert.Contains("has no field 'platform'", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < Budget, $"allocated {allocated} bytes for a {InputSize}-byte input");
    }

    [Fact]
    public void V1_event_log_declaring_millions_of_entries_is_refused_by_its_cap()
    {
        var (input, count) = V1WithHugeEventLog(InputSize);

        var (ex, allocated) = Measure(() => AttestationCodec.Decode(input));

        Assert.Contains($"platform.data.event_log has {count} entries, more than the {ReplayLimits.Default.MaxEvents} accepted", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < Budget, $"allocated {allocated} bytes for a {InputSize}-byte input");
    }

    [Fact]
    public void V1_bytes_as_an_array_of_non_bytes_fails_at_the_first_bad_item()
    {
        // report_data is an array of 2M empty bins instead of 64 integers.
        var input = new byte[InputSize];
        var w = new SpanWriter(input);
        w.Byte(0x83).FixStr("version").Byte(1)
            .FixStr("platform").Byte(0x82).FixStr("kind").FixStr("tdx").FixStr("data").Byte(0x82).FixStr("quote").Byte(0xc4).Byte(0).FixStr("event_log").Byte(0x90)
            .FixStr("stack").Byte(0x82).FixStr("kind").FixStr("dstack").FixStr("data").Byte(0x83).FixStr("config").FixStr("{}").FixStr("runtime_events").Byte(0x90)
            .FixStr("report_data");
        var count = (InputSize - w.Offset - 5) / 2;
        w.Byte(0xdd).UInt32BigEndian((uint)count);
        for (var i = 0; i < count; i++)
        {
            w.Byte(0xc4).Byte(0);
        }

        var (ex, allocated) = Measure(() => AttestationCodec.Decode(input.AsMemory(0, w.Offset)));

        Assert.Contains("stack.data.report_data[0] is not a byte", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < Budget, $"allocated {allocated} bytes for a {InputSize}-byte input");
    }

    [Fact]
    public void V1_nesting_millions_deep_is_refused_at_the_depth_cap()
    {
        var input = new byte[InputSize];
        input.AsSpan().Fill(0x91); // [[[[...]]]]
        input[0] = 0x81;
        input[1] = 0xa1;
        input[2] = (byte)'x';

        var (ex, allocated) = Measure(() => AttestationCodec.Decode(input));

        Assert.Contains($"nesting deeper than {MsgPackReader.MaxDepth}", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < Budget, $"allocated {allocated} bytes for a {InputSize}-byte input");
    }

    [Fact]
    public void V0_event_log_count_above_the_replay_cap_is_refused_before_any_event_is_read()
    {
        var input = new byte[InputSize];
        var w = new SpanWriter(input);
        w.Byte(0).Byte(0).Compact(0).Compact(300_000); // version, DstackTdx, empty quote, 300 000 events of 11+ bytes

        var (ex, allocated) = Measure(() => AttestationCodec.Decode(input));

        Assert.Contains("SCALE field 'event_log' at offset 3: count 300000 exceeds the 10000 accepted", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < Budget, $"allocated {allocated} bytes for a {InputSize}-byte input");
    }

    [Fact]
    public void V0_runtime_events_count_above_the_replay_cap_is_refused()
    {
        var input = new byte[InputSize];
        var w = new SpanWriter(input);
        w.Byte(0).Byte(0).Compact(0).Compact(0).Compact(2_000_000);

        var (ex, allocated) = Measure(() => AttestationCodec.Decode(input));

        Assert.Contains("'runtime_events' at offset 4: count 2000000 exceeds the 10000 accepted", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < Budget, $"allocated {allocated} bytes for a {InputSize}-byte input");
    }

    [Fact]
    public void V0_errors_inside_a_list_still_name_the_item_and_member()
    {
        var input = new byte[64];
        var w = new SpanWriter(input);
        w.Byte(0).Byte(0).Compact(0).Compact(1).UInt32LittleEndian(3).UInt32LittleEndian(1).Compact(48); // a 48-byte digest, but 2 bytes remain

        var ex = Assert.Throws<AttestationFormatException>(() => AttestationCodec.Decode(input.AsMemory(0, w.Offset + 2)));

        Assert.Contains("'event_log[0].digest'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csr_declaring_millions_of_alt_names_is_refused_by_its_cap()
    {
        var input = new byte[InputSize];
        var w = new SpanWriter(input);
        w.Compact(0).Compact(0).Byte(0).Compact(0).Compact(4_000_000); // confirm, pubkey, no org, subject, SAN count

        var (ex, allocated) = Measure(() => CertSigningRequestV2.Decode(input));

        Assert.IsType<AttestationFormatException>(ex);
        Assert.Contains($"'config.subject_alt_names' at offset 4: count 4000000 exceeds the {CertSigningRequestV2.MaxSubjectAltNames} accepted", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < Budget, $"allocated {allocated} bytes for a {InputSize}-byte input");
    }

    [Fact]
    public void Csr_carrying_a_crafted_4_MiB_attestation_decodes_and_the_attestation_fails_within_budget()
    {
        var (attestation, _) = V1WithHugeEventLog(InputSize - 64);
        var csr = new CertSigningRequestV2
        {
            PublicKey = [1, 2, 3],
            Config = new CertConfigV2 { Subject = "app", SubjectAltNames = ["a", "b"] },
            Attestation = attestation,
        }.Encode();

        var (ex, allocated) = Measure(() => AttestationCodec.Decode(CertSigningRequestV2.Decode(csr).Attestation));

        Assert.Contains("more than the 10000 accepted", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < Budget, $"allocated {allocated} bytes for a {csr.Length}-byte CSR");
    }

    /// <summary>A V1 attestation of exactly <paramref name="size"/> bytes whose event_log is an array of zero bytes (fixints).</summary>
    private static (byte[] Input, int Count) V1WithHugeEventLog(int size)
    {
        var input = new byte[size];
        var w = new SpanWriter(input);
        w.Byte(0x83).FixStr("version").Byte(1).FixStr("platform").Byte(0x82).FixStr("kind").FixStr("tdx").FixStr("data").Byte(0x81)
            .FixStr("event_log").Byte(0xdd);
        const int TailSize = 25; // "stack" map below
        var count = size - w.Offset - 4 - TailSize;
        w.UInt32BigEndian((uint)count).Skip(count);
        w.FixStr("stack").Byte(0x82).FixStr("kind").FixStr("dstack").FixStr("data").Byte(0x80);
        Assert.Equal(size, w.Offset);
        return (input, count);
    }

    private static (Exception Error, long Allocated) Measure(Action decode)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        Exception? error = null;
        try
        {
            decode();
        }
        catch (FormatException ex)
        {
            error = ex;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return (error ?? throw new Xunit.Sdk.XunitException("the decode did not fail"), allocated);
    }

    private sealed class SpanWriter(byte[] buffer)
    {
        private readonly byte[] _buffer = buffer;

        public int Offset { get; private set; }

        public SpanWriter Byte(byte value)
        {
            _buffer[Offset++] = value;
            return this;
        }

        public SpanWriter Skip(int count)
        {
            Offset += count;
            return this;
        }

        public SpanWriter FixStr(string text)
        {
            Byte((byte)(0xa0 | text.Length));
            foreach (var c in text)
            {
                Byte((byte)c);
            }

            return this;
        }

        public SpanWriter UInt32BigEndian(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(Offset), value);
            Offset += 4;
            return this;
        }

        public SpanWriter UInt32LittleEndian(uint value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(Offset), value);
            Offset += 4;
            return this;
        }

        public SpanWriter Compact(int value)
        {
            if (value < 64)
            {
                return Byte((byte)(value << 2));
            }

            if (value < 1 << 14)
            {
                Byte((byte)((value << 2) | 1));
                return Byte((byte)(value >> 6));
            }

            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(Offset), (uint)((value << 2) | 2));
            Offset += 4;
            return this;
        }
    }
}
