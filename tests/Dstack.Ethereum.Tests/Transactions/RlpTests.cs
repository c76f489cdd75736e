using System.Numerics;
using System.Text;
using Dstack.Ethereum.Transactions;

namespace Dstack.Ethereum.Tests.Transactions;

public sealed class RlpTests
{
    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    [Fact]
    public void Wiki_vectors()
    {
        Assert.Equal("83646f67", Hex(Rlp.EncodeBytes("dog"u8)));
        Assert.Equal("c88363617483646f67", Hex(Rlp.EncodeList(Rlp.EncodeBytes("cat"u8), Rlp.EncodeBytes("dog"u8))));
        Assert.Equal("80", Hex(Rlp.EncodeBytes([])));
        Assert.Equal("c0", Hex(Rlp.EncodeList()));
        Assert.Equal("80", Hex(Rlp.EncodeInteger(0)));
        Assert.Equal("00", Hex(Rlp.EncodeBytes([0])));
        Assert.Equal("0f", Hex(Rlp.EncodeInteger(15)));
        Assert.Equal("820400", Hex(Rlp.EncodeInteger(1024)));
        // the set-theoretic representation of three: [ [], [[]], [ [], [[]] ] ]
        var empty = Rlp.EncodeList();
        var one = Rlp.EncodeList(empty);
        Assert.Equal("c7c0c1c0c3c0c1c0", Hex(Rlp.EncodeList(empty, one, Rlp.EncodeList(empty, one))));
        var lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
        Assert.Equal("b838" + Hex(Encoding.ASCII.GetBytes(lorem)), Hex(Rlp.EncodeBytes(Encoding.ASCII.GetBytes(lorem))));
        Assert.Equal("8f102030405060708090a0b0c0d0e0f2", Hex(Rlp.EncodeInteger(BigInteger.Parse("0102030405060708090a0b0c0d0e0f2", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture))));
    }
}
