using Dstack.Crypto.Ethereum;
using Dstack.Crypto.Secp256k1;
using static Dstack.Crypto.Tests.TestVectors;

namespace Dstack.Crypto.Tests.Ethereum;

public class EthereumTests
{
    [Fact]
    public void Keccak256_KnownValues()
    {
        Assert.Equal("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", Convert.ToHexStringLower(Keccak256.Hash([])));
        Assert.Equal("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45", Convert.ToHexStringLower(Keccak256.Hash("abc"u8)));
    }

    [Fact]
    public void Keccak256_OfKmsMessage_MatchesVector()
    {
        var appRoot = Root.GetProperty("app_root");
        var message = appRoot.HexOf("kms_message_hex");
        Assert.Equal("dstack-kms-issued:"u8.ToArray(), message.AsSpan(0, 18).ToArray());
        var digest = Keccak256.Hash(message);
        var recovered = new byte[33];
        Assert.True(LibSecp256k1.Instance.TryRecover(digest, appRoot.HexOf("k256_signature"), recovered));
        Assert.Equal(appRoot.Str("kms_pub_recovered"), Convert.ToHexStringLower(recovered));
    }

    [Fact]
    public void Address_OfPrivateKeyOne()
    {
        var one = new byte[32];
        one[31] = 1;
        var uncompressed = new byte[65];
        LibSecp256k1.Instance.GetPublicKey(one, uncompressed);
        var address = EthereumAddress.FromUncompressedPublicKey(uncompressed);
        Assert.Equal("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf", EthereumAddress.ToChecksumString(address));
        var compressed = new byte[33];
        LibSecp256k1.Instance.GetPublicKey(one, compressed);
        Assert.Equal(address, EthereumAddress.FromPublicKey(compressed, LibSecp256k1.Instance));
        Assert.Equal(address, EthereumAddress.FromUncompressedPublicKey(uncompressed.AsSpan(1)));
    }

    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void ChecksumString_MatchesEip55Examples(string expected)
    {
        var bytes = Convert.FromHexString(expected[2..]);
        Assert.Equal(expected, EthereumAddress.ToChecksumString(bytes));
        Assert.True(EthereumAddress.TryParse(expected, out var parsed));
        Assert.Equal(bytes, parsed);
        Assert.True(EthereumAddress.TryParse(expected.ToLowerInvariant(), out _));
        var letter = expected.IndexOfAny("abcdefABCDEF".ToCharArray(), 2);
        var flipped = expected.ToCharArray();
        flipped[letter] = char.IsUpper(flipped[letter]) ? char.ToLowerInvariant(flipped[letter]) : char.ToUpperInvariant(flipped[letter]);
        Assert.False(EthereumAddress.TryParse(new string(flipped), out _));
    }

    [Fact]
    public void TryParse_RejectsBadChecksumAndLength()
    {
        Assert.False(EthereumAddress.TryParse("0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed", out _));
        Assert.False(EthereumAddress.TryParse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", out _));
        Assert.False(EthereumAddress.TryParse(null, out _));
    }
}
