namespace Dstack.Attestation.Tests.Quotes;

public class ScaleCompactTests
{
    [Theory]
    [InlineData(new byte[] { 0x04 }, 1UL, 1)]
    [InlineData(new byte[] { 0x49, 0x4e }, 5010UL, 2)]
    [InlineData(new byte[] { 0x02, 0x00, 0x01, 0x00 }, 16384UL, 4)]
    public void Decodes_compact_lengths(byte[] encoded, ulong value, int size) =>
        Assert.Equal((value, size), FixtureQuotes.DecodeCompact(encoded));
}
