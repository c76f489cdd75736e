using Dstack.Crypto.Edwards;
using Dstack.Crypto.Encodings;
using Dstack.Crypto.Kdf;
using Dstack.Crypto.Secp256k1;
using static Dstack.Crypto.Tests.TestVectors;

namespace Dstack.Crypto.Tests.Kdf;

public class DstackKdfTests
{
    // root P-256 key of the ra-tls kdf.rs test (guest-agent-api §3.2, kms.md §3.1)
    private const string RootPkcs8 =
        "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420f57527cea4ab7ffb49af99b158cdc0e3ec06398f528349ea236b7d2afe19cec1a1440342000491f50522407ce29dce3ed7d31a15d80c1c42f13a23552d2b33a0ce09ee11e47bce95936f3e7f80d195f879e28e1b144ef37ac9ab8e36a690cbf930b775897b27";

    private const string RootScalar = "f57527cea4ab7ffb49af99b158cdc0e3ec06398f528349ea236b7d2afe19cec1";

    [Fact]
    public void KdfVector_DerivesOkmAndPublicKeys()
    {
        var entry = Root.GetProperty("kdf")[0];
        var okm = DstackKdf.DeriveKey(entry.HexOf("ikm"), System.Text.Encoding.UTF8.GetBytes(entry.Str("info")));
        Assert.Equal(entry.Str("okm"), Convert.ToHexStringLower(okm));
        Assert.Equal(entry.Str("ed25519_pub"), Convert.ToHexStringLower(Ed25519.GetPublicKey(okm)));
        var compressed = new byte[33];
        LibSecp256k1.Instance.GetPublicKey(okm, compressed);
        Assert.Equal(entry.Str("secp256k1_pub_compressed"), Convert.ToHexStringLower(compressed));
    }

    [Fact]
    public void DeriveKey_InfoPartsAreConcatenatedWithoutSeparators()
    {
        var ikm = Hex(RootScalar);
        Assert.Equal(
            DstackKdf.DeriveKey(ikm, "context onecontext two"u8),
            DstackKdf.DeriveKey(ikm, ["context one"u8.ToArray(), "context two"u8.ToArray()]));
        Assert.NotEqual(DstackKdf.DeriveKey(ikm, "a"u8), DstackKdf.DeriveKey(ikm, "b"u8));
    }

    [Fact]
    public void DeriveDhSecret_MatchesRaTlsKdfVector()
    {
        var scalar = P256KeyEncoding.ReadPkcs8Der(Hex(RootPkcs8));
        Assert.Equal(RootScalar, Convert.ToHexStringLower(scalar));
        var secret = DstackKdf.DeriveDhSecret(scalar, ["context one"u8.ToArray(), "context two"u8.ToArray()]);
        Assert.Equal("663afd58820be8ad645f9c035e93199d114ab16f738db62393bc1d7d623e8813", Convert.ToHexStringLower(secret));
    }

    [Fact]
    public void KmsDerivations_MatchKmsSection38()
    {
        var rootCa = Hex(RootScalar);
        var k256Root = Enumerable.Repeat((byte)0x01, 32).ToArray();
        var appId = Enumerable.Repeat((byte)0x11, 20).ToArray();
        var instanceId = Enumerable.Repeat((byte)0x33, 20).ToArray();
        var secp = LibSecp256k1.Instance;

        Assert.Equal(
            "3059301306072a8648ce3d020106082a8648ce3d0301070342000491f50522407ce29dce3ed7d31a15d80c1c42f13a23552d2b33a0ce09ee11e47bce95936f3e7f80d195f879e28e1b144ef37ac9ab8e36a690cbf930b775897b27",
            Convert.ToHexStringLower(P256KeyEncoding.SubjectPublicKeyInfoOf(rootCa)));
        Assert.Equal("1fef665a1667042d9d3e16305ac19dff2082d4fa6b0d27505bb9e6b7379bb58d",
            Convert.ToHexStringLower(KmsKeyDerivation.DeriveDiskCryptKey(rootCa, appId, instanceId)));
        var env = KmsKeyDerivation.DeriveEnvCryptKey(rootCa, appId);
        Assert.Equal("a7470db8cfdd0fe24134b461d60766afa7c078abe6dce9f2c8a5c44034ca400e", Convert.ToHexStringLower(env));
        Assert.Equal("93cf259f68b24775d54290a8ea57cf93efc994d3ff28a7b8ba7a39e9f512302f", Convert.ToHexStringLower(X25519.GetPublicKey(env)));
        Assert.Equal("5b779e0a9fe80b2e5866d94958daa1a4e29a183228b3f37acd7eae153e18a75f",
            Convert.ToHexStringLower(KmsKeyDerivation.DeriveAppCaKey(rootCa, appId)));

        var rootPub = new byte[33];
        secp.GetPublicKey(k256Root, rootPub);
        Assert.Equal("031b84c5567b126440995d3ed5aaba0565d71e1834604819ff9c17f5e9d5dd078f", Convert.ToHexStringLower(rootPub));

        var material = KmsKeyDerivation.DeriveAppKeys(secp, rootCa, k256Root, appId, instanceId);
        Assert.Equal("88fa429170ad091e0f87b335ba19b1729610ac25441728807ce3325161846baf", Convert.ToHexStringLower(material.K256Key.Span));
        var appPub = new byte[33];
        secp.GetPublicKey(material.K256Key.Span, appPub);
        Assert.Equal("02a594d1e64985d03463fc26e666eaf6a82b6c75834ca8c25810b25069b401ebc3", Convert.ToHexStringLower(appPub));
        Assert.Equal("1fef665a1667042d9d3e16305ac19dff2082d4fa6b0d27505bb9e6b7379bb58d", Convert.ToHexStringLower(material.DiskCryptKey.Span));
        Assert.Equal(env, material.EnvCryptKey.ToArray());

        // the KMS signature recovers to the root key over the dstack-kms-issued message
        var recovered = new byte[33];
        Assert.True(secp.TryRecover(Hex("c5ef3966bf1ef7153f8eeabebbed7940eda1fb8f7e762cede045ff7d67d36ca7"), material.K256Signature.Span, recovered));
        Assert.Equal(rootPub, recovered);
    }

    [Fact]
    public void SimulatorAppRootKey_IsTheKmsDerivationInput()
    {
        var secp = LibSecp256k1.Instance;
        var pub = new byte[33];
        secp.GetPublicKey(SimulatorK256Key, pub);
        Assert.Equal(Root.GetProperty("app_root").Str("pub_compressed"), Convert.ToHexStringLower(pub));
    }

    [Fact]
    public void LocalKeyDerivation_UsesLabelsAsInfo()
    {
        var seed = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        Assert.Equal(DstackKdf.DeriveKey(seed, "app-key"u8), LocalKeyDerivation.DeriveAppCaKey(seed));
        Assert.Equal(DstackKdf.DeriveKey(seed, "app-k256-key"u8), LocalKeyDerivation.DeriveK256Key(seed, LibSecp256k1.Instance));
        var diskScalar = DstackKdf.DeriveKey(seed, "app-disk-key"u8);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(P256KeyEncoding.ToPkcs8Der(diskScalar)), LocalKeyDerivation.DeriveDiskCryptKey(seed));
    }

    [Fact]
    public void NewRandomP256PrivateKey_IsValidAndFresh()
    {
        var a = DstackKdf.NewRandomP256PrivateKey();
        var b = DstackKdf.NewRandomP256PrivateKey();
        Assert.True(P256KeyEncoding.IsValidPrivateKey(a));
        Assert.NotEqual(a, b);
    }
}
