using Dstack.Crypto.Keys;
using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;
using static Dstack.Crypto.Tests.TestVectors;

namespace Dstack.Crypto.Tests.Keys;

public class AppKeyServiceTests
{
    private static readonly LibSecp256k1 Secp = LibSecp256k1.Instance;

    public static TheoryData<int> GetKeyEntries => Indexes("get_key");

    public static TheoryData<int> SignEntries => Indexes("sign");

    private static AppKeyService Simulator() => new(SimulatorK256Key, SimulatorK256Signature, Secp);

    [Theory]
    [MemberData(nameof(GetKeyEntries))]
    public void GetKey_MatchesVector(int index)
    {
        var entry = Entry("get_key", index);
        var result = Simulator().GetKey(entry.Str("path"), entry.Str("purpose"), entry.Str("algorithm"));

        Assert.Equal(entry.Str("key"), Convert.ToHexStringLower(result.Key.Span));
        Assert.Equal(entry.Str("derived_pub"), Convert.ToHexStringLower(result.PublicKey.Span));
        Assert.Equal(entry.Str("signed_message"), DerivedKeySignatures.Message(entry.Str("purpose"), result.PublicKey.Span));
        Assert.Equal(entry.Str("keccak256"), Convert.ToHexStringLower(DerivedKeySignatures.Digest(entry.Str("purpose"), result.PublicKey.Span)));
        var chain = entry.GetProperty("signature_chain");
        Assert.Equal(2, result.SignatureChain.Count);
        Assert.Equal(chain[0].GetString(), Convert.ToHexStringLower(result.SignatureChain[0].Span));
        Assert.Equal(chain[1].GetString(), Convert.ToHexStringLower(result.SignatureChain[1].Span));
    }

    [Theory]
    [MemberData(nameof(GetKeyEntries))]
    public void GetKeyVectorChain_VerifiesToKmsRoot(int index)
    {
        var entry = Entry("get_key", index);
        var chain = entry.GetProperty("signature_chain");
        var appRoot = SignatureChainVerifier.Verify(
            Secp,
            entry.Str("purpose"),
            entry.HexOf("derived_pub"),
            Hex(chain[0]),
            Hex(chain[1]),
            SimulatorAppId,
            Hex(Root.GetProperty("app_root").Str("kms_pub_recovered")));
        Assert.NotNull(appRoot);
        Assert.Equal(Root.GetProperty("app_root").Str("pub_compressed"), Convert.ToHexStringLower(appRoot));

        // a different purpose breaks the chain
        Assert.Null(SignatureChainVerifier.Verify(Secp, entry.Str("purpose") + "x", entry.HexOf("derived_pub"), Hex(chain[0]), Hex(chain[1]),
            SimulatorAppId, Hex(Root.GetProperty("app_root").Str("kms_pub_recovered"))));
    }

    [Fact]
    public void GetKey_AlgorithmAndPurposeDoNotChangeTheKey()
    {
        var service = Simulator();
        var a = service.GetKey("p", "one", "secp256k1");
        var b = service.GetKey("p", "two", "k256");
        var c = service.GetKey("p", "three", "");
        var d = service.GetKey("p", "four", "ed25519");
        Assert.Equal(a.Key.ToArray(), b.Key.ToArray());
        Assert.Equal(a.Key.ToArray(), c.Key.ToArray());
        Assert.Equal(a.Key.ToArray(), d.Key.ToArray());
        Assert.NotEqual(a.SignatureChain[0].ToArray(), b.SignatureChain[0].ToArray());
    }

    [Theory]
    [InlineData("secp256k1_prehashed")]
    [InlineData("p256")]
    [InlineData("ED25519")]
    public void GetKey_RejectsOtherAlgorithms(string algorithm)
    {
        var ex = Assert.Throws<DstackCryptoException>(() => Simulator().GetKey("p", "q", algorithm));
        Assert.Equal("Unsupported algorithm", ex.Message);
    }

    [Fact]
    public void GetKey_WithoutKms_SecondChainElementIsEmpty()
    {
        var result = new AppKeyService(SimulatorK256Key, [], Secp).GetKey("x", "y", "secp256k1");
        Assert.Equal(0, result.SignatureChain[1].Length);
    }

    [Theory]
    [MemberData(nameof(SignEntries))]
    public void Sign_MatchesVector(int index)
    {
        var entry = Entry("sign", index);
        var result = Simulator().Sign(entry.Str("algorithm"), entry.HexOf("data"));
        Assert.Equal(entry.Str("signature"), Convert.ToHexStringLower(result.Signature.Span));
        Assert.Equal(entry.Str("public_key"), Convert.ToHexStringLower(result.PublicKey.Span));

        // chain = [signature, GetKey("vms","signing") chain[0], KMS signature]
        var algorithm = entry.Str("algorithm") == "ed25519" ? "ed25519" : "secp256k1";
        var vms = Root.GetProperty("get_key").EnumerateArray().Single(e => e.Str("path") == "vms" && e.Str("algorithm") == algorithm);
        Assert.Equal(3, result.SignatureChain.Count);
        Assert.Equal(result.Signature.ToArray(), result.SignatureChain[0].ToArray());
        Assert.Equal(vms.GetProperty("signature_chain")[0].GetString(), Convert.ToHexStringLower(result.SignatureChain[1].Span));
        Assert.Equal(vms.GetProperty("signature_chain")[1].GetString(), Convert.ToHexStringLower(result.SignatureChain[2].Span));
    }

    [Theory]
    [MemberData(nameof(SignEntries))]
    public void Verify_AcceptsVectorAndRejectsTamperedData(int index)
    {
        var entry = Entry("sign", index);
        var data = entry.HexOf("data");
        Assert.True(AppKeyService.Verify(Secp, entry.Str("algorithm"), data, entry.HexOf("signature"), entry.HexOf("public_key")));
        data[0] ^= 1;
        Assert.False(AppKeyService.Verify(Secp, entry.Str("algorithm"), data, entry.HexOf("signature"), entry.HexOf("public_key")));
    }

    [Fact]
    public void Verify_AcceptsUncompressedSecp256k1Key_AndRejectsHighS()
    {
        var entry = Entry("sign", 1);
        var data = entry.HexOf("data");
        var signature = entry.HexOf("signature");
        var uncompressed = new byte[65];
        Assert.True(Secp.TryConvertPublicKey(entry.HexOf("public_key"), uncompressed));
        Assert.True(AppKeyService.Verify(Secp, "k256", data, signature, uncompressed));

        // s' = n - s is mathematically valid but high-S, so rejected
        var n = System.Numerics.BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
        var s = new System.Numerics.BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var highS = (n - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        var tampered = signature.ToArray();
        highS.CopyTo(tampered.AsSpan(64 - highS.Length));
        Assert.False(AppKeyService.Verify(Secp, "secp256k1", data, tampered, uncompressed));
    }

    [Fact]
    public void Sign_Prehashed_RequiresA32ByteDigest()
    {
        var ex = Assert.Throws<DstackCryptoException>(() => Simulator().Sign("secp256k1_prehashed", new byte[31]));
        Assert.Equal("Pre-hashed signing requires a 32-byte digest, but received 31 bytes", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("rsa")]
    public void Sign_RequiresAnExplicitKnownAlgorithm(string algorithm)
    {
        var ex = Assert.Throws<DstackCryptoException>(() => Simulator().Sign(algorithm, "x"u8));
        Assert.Equal("Unsupported algorithm", ex.Message);
    }

    [Fact]
    public void Verify_MalformedInputsThrowInsteadOfReturningFalse()
    {
        var ed = Entry("sign", 0);
        var k = Entry("sign", 1);
        Assert.Throws<DstackCryptoException>(() => AppKeyService.Verify(Secp, "ed25519", ed.HexOf("data"), ed.HexOf("signature"), new byte[31]));
        Assert.Throws<DstackCryptoException>(() => AppKeyService.Verify(Secp, "ed25519", ed.HexOf("data"), ed.HexOf("signature").AsSpan(0, 63).ToArray(), ed.HexOf("public_key")));
        Assert.Throws<DstackCryptoException>(() => AppKeyService.Verify(Secp, "secp256k1", k.HexOf("data"), k.HexOf("signature"), new byte[33]));
        Assert.Throws<DstackCryptoException>(() => AppKeyService.Verify(Secp, "secp256k1", k.HexOf("data"), [.. k.HexOf("signature"), 0], k.HexOf("public_key")));
        Assert.Throws<DstackCryptoException>(() => AppKeyService.Verify(Secp, "", k.HexOf("data"), k.HexOf("signature"), k.HexOf("public_key")));
    }

    [Fact]
    public void DeriveP256Key_MatchesDeriveKeyExample()
    {
        var scalar = Simulator().DeriveP256Key("/");
        Assert.Equal("f6c1ed94488394d78e0a4e5ab75d62e9f085d73b0b555d0614fb90ca13d9464d", Convert.ToHexStringLower(scalar));
        Assert.NotEqual(scalar, AppKeyService.DeriveRandomP256Key("/"));
    }
}
