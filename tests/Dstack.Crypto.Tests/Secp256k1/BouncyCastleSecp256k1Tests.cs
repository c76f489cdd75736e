using System.Security.Cryptography;
using Dstack.Crypto.Secp256k1;
using static Dstack.Crypto.Tests.TestVectors;

namespace Dstack.Crypto.Tests.Secp256k1;

public class BouncyCastleSecp256k1Tests
{
    private static readonly BouncyCastleSecp256k1 Secp = BouncyCastleSecp256k1.Instance;

    [Fact]
    public void PublicKey_OfOne_IsTheGenerator()
    {
        var one = new byte[32];
        one[31] = 1;
        var compressed = new byte[33];
        var uncompressed = new byte[65];
        Secp.GetPublicKey(one, compressed);
        Secp.GetPublicKey(one, uncompressed);
        Assert.Equal("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", Convert.ToHexStringLower(compressed));
        Assert.Equal(
            "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8",
            Convert.ToHexStringLower(uncompressed));
        var back = new byte[33];
        Assert.True(Secp.TryConvertPublicKey(uncompressed, back));
        Assert.Equal(compressed, back);
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")]
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    public void IsValidPrivateKey_RejectsOutOfRange(string hex)
    {
        Assert.False(Secp.IsValidPrivateKey(Hex(hex)));
        Assert.Throws<DstackCryptoException>(() => Secp.GetPublicKey(Hex(hex), new byte[33]));
    }

    [Fact]
    public void IsValidPrivateKey_AcceptsNMinusOne() =>
        Assert.True(Secp.IsValidPrivateKey(Hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140")));

    [Fact]
    public void SignRecoverVerify_RoundTrip_LowS()
    {
        var halfN = System.Numerics.BigInteger.Parse("07FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0", System.Globalization.NumberStyles.HexNumber);
        for (var i = 0; i < 20; i++)
        {
            var key = RandomNumberGenerator.GetBytes(32);
            var hash = RandomNumberGenerator.GetBytes(32);
            var signature = new byte[65];
            Secp.Sign(hash, key, signature);
            Assert.InRange(signature[64], 0, 1);
            var s = new System.Numerics.BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
            Assert.True(s <= halfN);

            var expected = new byte[33];
            Secp.GetPublicKey(key, expected);
            var recovered = new byte[33];
            Assert.True(Secp.TryRecover(hash, signature, recovered));
            Assert.Equal(expected, recovered);
            Assert.True(Secp.Verify(hash, signature.AsSpan(0, 64), expected));

            var compact = new byte[64];
            Secp.Sign(hash, key, compact);
            Assert.Equal(signature.AsSpan(0, 64).ToArray(), compact);
        }
    }

    [Fact]
    public void Sign_IsDeterministic_AndMatchesVector()
    {
        // chain[0] of the first get_key vector: app root key over keccak("test-purpose:02c1…")
        var entry = Entry("get_key", 0);
        var signature = new byte[65];
        Secp.Sign(entry.HexOf("keccak256"), SimulatorK256Key, signature);
        Assert.Equal(entry.GetProperty("signature_chain")[0].GetString(), Convert.ToHexStringLower(signature));
    }

    [Fact]
    public void Recover_RejectsMalformedSignatures()
    {
        var entry = Entry("get_key", 0);
        var hash = entry.HexOf("keccak256");
        var signature = Hex(entry.GetProperty("signature_chain")[0]);
        var output = new byte[33];
        Assert.False(Secp.TryRecover(hash, signature.AsSpan(0, 64), output));
        var badV = signature.ToArray();
        badV[64] = 27;
        Assert.False(Secp.TryRecover(hash, badV, output));
        var zeroR = signature.ToArray();
        zeroR.AsSpan(0, 32).Clear();
        Assert.False(Secp.TryRecover(hash, zeroR, output));

        // flipping v recovers a different key
        var flipped = signature.ToArray();
        flipped[64] ^= 1;
        Assert.True(Secp.TryRecover(hash, flipped, output));
        Assert.NotEqual(Root.GetProperty("app_root").Str("pub_compressed"), Convert.ToHexStringLower(output));
    }

    [Theory]
    [InlineData("02")]
    [InlineData("050000000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("020000000000000000000000000000000000000000000000000000000000000005")]
    [InlineData("04000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000002")]
    public void TryConvertPublicKey_RejectsInvalidPoints(string hex)
    {
        var bytes = hex.Length % 2 == 0 ? Hex(hex) : Hex(hex + "0");
        Assert.False(Secp.TryConvertPublicKey(bytes, new byte[33]));
    }
}
