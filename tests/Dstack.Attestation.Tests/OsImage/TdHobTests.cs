using System.Buffers.Binary;
using Dstack.Attestation.OsImage;

namespace Dstack.Attestation.Tests.OsImage;

public class TdHobTests
{
    private static TdHobWitness Dstack => TdHobWitness.Decode(TdHobWitness.DstackTdvf);

    [Fact]
    public void Dstack_witness_decodes_to_the_documented_ranges()
    {
        var witness = Dstack;

        Assert.Equal(0x800UL, witness.BasePage);
        Assert.Equal(9UL, witness.TdHobPageDelta);
        Assert.Equal([(0UL, 6UL), (9UL, 2UL), (11UL, 2UL), (16UL, 16UL)], witness.Ranges);
        Assert.Equal("80100904000609020b021010", Hex.Of(witness.Encode()));
    }

    [Theory]
    [InlineData("", "truncated TD HOB witness varuint")]
    [InlineData("8010", "truncated TD HOB witness varuint")]
    [InlineData("801009040006", "truncated TD HOB witness varuint")]
    [InlineData("80100904000609020b02101000", "TD HOB witness has trailing bytes")]
    [InlineData("8080808080808080808001", "TD HOB witness varuint is too large")]
    [InlineData("0000810800", "TD HOB witness has 1025 ranges, at most 1024 are supported")]
    public void Witness_errors_have_the_spec_wording(string hex, string message)
    {
        var ex = Assert.Throws<OsImageException>(() => TdHobWitness.Decode(Hex.Bytes(hex)));

        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void A_ten_byte_varint_is_still_accepted()
    {
        var witness = TdHobWitness.Decode(Hex.Bytes("ffffffffffffffffff01" + "0000"));

        Assert.Equal(ulong.MaxValue, witness.BasePage);
        Assert.Empty(witness.Ranges);
    }

    [Fact]
    public void Two_gib_hob_has_the_documented_descriptors_and_digest()
    {
        var hob = TdHob.Build(Dstack, 2147483648);

        Assert.Equal(
            [
                new TdHobResource(7, 0, 0x800000),
                new TdHobResource(0, 0x800000, 0x6000),
                new TdHobResource(7, 0x806000, 0x3000),
                new TdHobResource(0, 0x809000, 0x2000),
                new TdHobResource(0, 0x80b000, 0x2000),
                new TdHobResource(7, 0x80d000, 0x3000),
                new TdHobResource(0, 0x810000, 0x10000),
                new TdHobResource(7, 0x820000, 0x7f7e0000),
            ],
            hob.Resources);
        Assert.Equal(440, hob.Bytes.Length);
        Assert.Equal(0x809000UL, hob.HobBase);
        Assert.Equal(0x8091c0UL, hob.EndOfHobList);
        Assert.Equal("c091800000000000", Hex.Of(hob.Bytes[48..56]));
        Assert.Equal(LiteFixture.TdHob2GiB, Hex.Of(hob.Digest));
    }

    [Fact]
    public void Hob_byte_layout_is_the_documented_one()
    {
        var hob = TdHob.Build(Dstack, 2147483648).Bytes;

        Assert.Equal("01003800000000000900000000000000", Hex.Of(hob[..16]));
        Assert.All(hob[16..48], b => Assert.Equal(0, b));
        var second = hob.AsSpan(56 + 48, 48);
        Assert.Equal("03003000000000000000000000000000" + "00000000000000000000000007000000", Hex.Of(second[..32].ToArray()));
        Assert.Equal(0x800000UL, BinaryPrimitives.ReadUInt64LittleEndian(second[32..]));
        Assert.Equal(0x6000UL, BinaryPrimitives.ReadUInt64LittleEndian(second[40..]));
        Assert.Equal(7, hob[56 + 24]);
    }

    [Fact]
    public void Four_gib_hob_splits_the_last_range_above_4_gib()
    {
        var hob = TdHob.Build(Dstack, 4294967296);

        Assert.Equal(9, hob.Resources.Count);
        Assert.Equal(new TdHobResource(7, 0x820000, 0x7f7e0000), hob.Resources[7]);
        Assert.Equal(new TdHobResource(7, 0x100000000, 0x80000000), hob.Resources[8]);
        Assert.Equal(488, hob.Bytes.Length);
        Assert.Equal(0x8091f0UL, hob.EndOfHobList);
        Assert.Equal("5b684faf8d02a733945f821d9cdd170802e72103977acf66949c9382500283adc90cbec57f8e7653f8bee1cab83689de", Hex.Of(hob.Digest));
    }

    [Fact]
    public void High_memory_threshold_hob_has_the_documented_digest()
    {
        var hob = TdHob.Build(Dstack, 0xB0000000);

        Assert.Equal(9, hob.Resources.Count);
        Assert.Equal(new TdHobResource(7, 0x100000000, 0x30000000), hob.Resources[8]);
        Hex.AssertAbbreviated("8eb1a020…c168c2de", hob.Digest);
    }

    [Theory]
    [InlineData("ffffffffffffffffff01" + "01" + "00", "TD HOB base address overflow")]
    [InlineData("ffffffffffffff07" + "00" + "01" + "01" + "01", "TD HOB range start overflow")]
    [InlineData("00" + "00" + "01" + "00" + "ffffffffffffffff0f", "TD HOB range length overflow")]
    public void Address_overflows_are_reported(string witnessHex, string message)
    {
        var ex = Assert.Throws<OsImageException>(() => TdHob.Build(TdHobWitness.Decode(Hex.Bytes(witnessHex)), 2147483648));

        Assert.Equal(message, ex.Message);
    }
}
