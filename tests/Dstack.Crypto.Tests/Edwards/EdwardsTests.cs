using Dstack.Crypto.Edwards;
using static Dstack.Crypto.Tests.TestVectors;

namespace Dstack.Crypto.Tests.Edwards;

public class EdwardsTests
{
    [Fact]
    public void Ed25519_Rfc8032Test1()
    {
        var seed = Hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        var pub = Ed25519.GetPublicKey(seed);
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(pub));
        var signature = Ed25519.Sign(seed, []);
        Assert.Equal(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Convert.ToHexStringLower(signature));
        Assert.True(Ed25519.Verify(pub, [], signature));
        Assert.False(Ed25519.Verify(pub, [0], signature));
    }

    [Fact]
    public void Ed25519_SignVector()
    {
        var entry = Entry("sign", 0);
        var seed = Entry("get_key", 5).HexOf("key");
        Assert.Equal(entry.Str("public_key"), Convert.ToHexStringLower(Ed25519.GetPublicKey(seed)));
        Assert.Equal(entry.Str("signature"), Convert.ToHexStringLower(Ed25519.Sign(seed, entry.HexOf("data"))));
    }

    [Fact]
    public void Ed25519_IsValidPublicKey()
    {
        Assert.True(Ed25519.IsValidPublicKey(Entry("sign", 0).HexOf("public_key")));
        Assert.False(Ed25519.IsValidPublicKey(new byte[31]));
        // y = 2 is not on the curve
        var notOnCurve = new byte[32];
        notOnCurve[0] = 2;
        Assert.False(Ed25519.IsValidPublicKey(notOnCurve));
    }

    [Fact]
    public void X25519_Rfc7748Section61()
    {
        var alice = Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        var bob = Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        var alicePub = X25519.GetPublicKey(alice);
        var bobPub = X25519.GetPublicKey(bob);
        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Convert.ToHexStringLower(alicePub));
        Assert.Equal("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Convert.ToHexStringLower(bobPub));
        var shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        Assert.Equal(shared, Convert.ToHexStringLower(X25519.SharedSecret(alice, bobPub)));
        Assert.Equal(shared, Convert.ToHexStringLower(X25519.SharedSecret(bob, alicePub)));
    }

    [Fact]
    public void X25519_RejectsLowOrderPeer() =>
        Assert.Throws<DstackCryptoException>(() => X25519.SharedSecret(X25519.GenerateSecret(), new byte[32]));
}
