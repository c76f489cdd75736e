using System.Text;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Tests.Formats;

/// <summary>A tiny msgpack writer for building V1 test inputs.</summary>
internal sealed class TestMsgPack
{
    private readonly List<byte> _bytes = [];

    public TestMsgPack Map(int count)
    {
        _bytes.Add((byte)(0x80 | count));
        return this;
    }

    public TestMsgPack Array(int count)
    {
        if (count > 15)
        {
            _bytes.AddRange([0xdc, (byte)(count >> 8), (byte)count]);
            return this;
        }

        _bytes.Add((byte)(0x90 | count));
        return this;
    }

    public TestMsgPack Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        _bytes.Add(0xd9);
        _bytes.Add((byte)b.Length);
        _bytes.AddRange(b);
        return this;
    }

    public TestMsgPack Int(uint v)
    {
        _bytes.Add(0xce);
        _bytes.AddRange([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
        return this;
    }

    public TestMsgPack Bin(byte[] b)
    {
        _bytes.Add(0xc4);
        _bytes.Add((byte)b.Length);
        _bytes.AddRange(b);
        return this;
    }

    public TestMsgPack IntArray(byte[] b)
    {
        Array(b.Length);
        foreach (var x in b)
        {
            _bytes.Add(0xcc);
            _bytes.Add(x);
        }

        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    public static byte[] V1Attestation(RuntimeEvent runtime, bool quoteAsIntArray)
    {
        var e = runtime.ToTdxEvent();
        var w = new TestMsgPack();
        w.Map(3).Str("version").Int(1);
        w.Str("platform").Map(2).Str("kind").Str("tdx").Str("data").Map(2);
        w.Str("quote");
        if (quoteAsIntArray)
        {
            w.IntArray([4, 0, 2, 0]);
        }
        else
        {
            w.Bin([4, 0, 2, 0]);
        }

        w.Str("event_log").Array(1).Map(e.Preimage is null ? 5 : 7)
            .Str("imr").Int(e.Imr).Str("event_type").Int(e.EventType).Str("digest").Bin(e.Digest)
            .Str("event").Str(e.Event).Str("event_payload").Bin(e.EventPayload);
        if (e.Preimage is not null)
        {
            w.Str("version").Int(2).Str("preimage").Bin(e.Preimage);
        }

        w.Str("stack").Map(2).Str("kind").Str("dstack").Str("data").Map(3);
        w.Str("report_data").IntArray(new byte[64]);
        w.Str("runtime_events").Array(1).Map(runtime.Version == 2 ? 3 : 2).Str("event").Str(runtime.Name).Str("payload").Bin(runtime.Payload);
        if (runtime.Version == 2)
        {
            w.Str("version").Int(2);
        }

        w.Str("config").Str("{\"vm\":1}");
        return w.ToArray();
    }
}
