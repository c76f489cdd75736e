using System.Security.Cryptography;
using Dstack.Crypto.Secp256k1;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using static Dstack.Crypto.Tests.TestVectors;

namespace Dstack.Crypto.Tests.Secp256k1;

public class LibSecp256k1Tests
{
    private static readonly LibSecp256k1 Secp = LibSecp256k1.Instance;

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

    [Fact]
    public void PublicKeys_InTheHybridForm_AreRefused()
    {
        // libsecp256k1 itself parses 06/07 "hybrid" keys; SEC1 as dstack uses it does not
        var one = new byte[32];
        one[31] = 1;
        var uncompressed = new byte[65];
        Secp.GetPublicKey(one, uncompressed);
        var hybrid = uncompressed.ToArray();
        hybrid[0] = 0x06; // the generator's y is even
        Assert.False(Secp.TryConvertPublicKey(hybrid, new byte[33]));

        var hash = SHA256.HashData("hybrid"u8);
        var signature = new byte[64];
        Secp.Sign(hash, one, signature);
        Assert.True(Secp.Verify(hash, signature, uncompressed));
        Assert.False(Secp.Verify(hash, signature, hybrid));
    }

    [Fact]
    public void Verify_RejectsTheHighSTwinOfAValidSignature()
    {
        var n = new System.Numerics.BigInteger(Hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"), isUnsigned: true, isBigEndian: true);
        var key = RandomNumberGenerator.GetBytes(32);
        var hash = RandomNumberGenerator.GetBytes(32);
        var signature = new byte[65];
        Secp.Sign(hash, key, signature);
        var publicKey = new byte[33];
        Secp.GetPublicKey(key, publicKey);

        var s = new System.Numerics.BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        var highS = signature.ToArray();
        Assert.True((n - s).TryWriteBytes(highS.AsSpan(32, 32), out var written, isUnsigned: true, isBigEndian: true));
        Assert.Equal(32, written);
        highS[64] ^= 1;

        Assert.True(Secp.Verify(hash, signature.AsSpan(0, 64), publicKey));
        Assert.False(Secp.Verify(hash, highS.AsSpan(0, 64), publicKey));

        // recovery does not care about the form of s: both name the same key
        var recovered = new byte[33];
        Assert.True(Secp.TryRecover(hash, highS, recovered));
        Assert.Equal(publicKey, recovered);
    }

    [Fact]
    public void Sign_MatchesAnIndependentRfc6979Signer()
    {
        // BouncyCastle's ECDSA with the RFC 6979 HMAC-SHA256 nonce, normalised to low-S, must give the same r and s
        var curve = CustomNamedCurves.GetByName("secp256k1");
        var domain = new ECDomainParameters(curve);
        var halfN = curve.N.ShiftRight(1);
        for (var i = 0; i < 16; i++)
        {
            var key = RandomNumberGenerator.GetBytes(32);
            if (!Secp.IsValidPrivateKey(key))
            {
                continue;
            }

            var hash = RandomNumberGenerator.GetBytes(32);
            var reference = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
            reference.Init(true, new ECPrivateKeyParameters(new BigInteger(1, key), domain));
            var rs = reference.GenerateSignature(hash);
            var s = rs[1].CompareTo(halfN) > 0 ? curve.N.Subtract(rs[1]) : rs[1];

            var signature = new byte[65];
            Secp.Sign(hash, key, signature);
            Assert.Equal(rs[0].ToByteArrayUnsigned().PadLeft32(), signature[..32]);
            Assert.Equal(s.ToByteArrayUnsigned().PadLeft32(), signature[32..64]);
        }
    }

    [Fact]
    public async Task Operations_FromManyThreads_AgreeWithOneThread()
    {
        var entry = Entry("get_key", 0);
        var hash = entry.HexOf("keccak256");
        var expected = entry.GetProperty("signature_chain")[0].GetString();
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                var signature = new byte[65];
                Secp.Sign(hash, SimulatorK256Key, signature);
                Assert.Equal(expected, Convert.ToHexStringLower(signature));
                var recovered = new byte[33];
                Assert.True(Secp.TryRecover(hash, signature, recovered));
                Assert.Equal(Root.GetProperty("app_root").Str("pub_compressed"), Convert.ToHexStringLower(recovered));
            }
        }));
        await Task.WhenAll(workers);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(66)]
    public void Destinations_OfTheWrongLength_AreProgrammingErrors(int length)
    {
        var one = new byte[32];
        one[31] = 1;
        Assert.Throws<ArgumentException>(() => Secp.GetPublicKey(one, new byte[length]));
        Assert.Throws<ArgumentException>(() => Secp.Sign(new byte[32], one, new byte[length == 64 ? 63 : length]));
    }
}

internal static class ScalarBytes
{
    public static byte[] PadLeft32(this byte[] value)
    {
        var result = new byte[32];
        value.CopyTo(result, 32 - value.Length);
        return result;
    }
}
