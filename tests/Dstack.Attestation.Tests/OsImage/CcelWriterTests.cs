using System.Security.Cryptography;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Tests.OsImage;

public class CcelWriterTests
{
    [Fact]
    public void Written_events_parse_back_with_their_mr_index_and_payload()
    {
        TdxEvent[] events =
        [
            new() { Imr = 2, EventType = 6, Digest = SHA384.HashData("a"u8), Event = string.Empty, EventPayload = [1, 2, 3] },
            new() { Imr = 0, EventType = 10, Digest = SHA384.HashData("b"u8), Event = "ignored", EventPayload = "ACPI DATA"u8.ToArray() },
        ];

        var parsed = CcelParser.Parse(CcelWriter.Write(events));

        Assert.Equal(2, parsed.Count);
        Assert.Equal(2u, parsed[0].Imr);
        Assert.Equal([1, 2, 3], parsed[0].EventPayload);
        Assert.Equal(events[1].Digest, parsed[1].Digest);
        Assert.Equal("acpi-loader", parsed[1].Event);
    }

    [Fact]
    public void A_short_digest_is_refused()
    {
        TdxEvent[] events = [new() { Imr = 0, EventType = 1, Digest = new byte[32], Event = string.Empty, EventPayload = [] }];

        var ex = Assert.Throws<ArgumentException>(() => CcelWriter.Write(events));
        Assert.StartsWith("event digest must be 48 bytes, got 32", ex.Message, StringComparison.Ordinal);
    }
}
