using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;
using static Dstack.Crypto.Tests.TestVectors;

namespace Dstack.Crypto.Tests.SignatureChains;

public class KmsSignaturesTests
{
    private static readonly LibSecp256k1 Secp = LibSecp256k1.Instance;

    [Fact]
    public void SimulatorAppKeys_SignatureRecoversToKmsRoot()
    {
        var appRoot = Root.GetProperty("app_root");
        var message = KmsSignatures.BuildMessage(KmsSignatures.KmsIssuedPrefix, SimulatorAppId, null, appRoot.HexOf("pub_compressed"));
        Assert.Equal(appRoot.Str("kms_message_hex"), Convert.ToHexStringLower(message));
        var signer = KmsSignatures.RecoverSigner(Secp, SimulatorK256Signature, KmsSignatures.KmsIssuedPrefix, SimulatorAppId, null, appRoot.HexOf("pub_compressed"));
        Assert.Equal("0321529e458424ab1f710a3a57ec4dad2fb195ddca572f7469242ba6c7563085b6", Convert.ToHexStringLower(signer!));
    }

    [Fact]
    public void LegacyEnvPublicKeySignature_RecoversRepoSigner()
    {
        var signer = KmsSignatures.RecoverSigner(
            Secp,
            Hex("8542c49081fbf4e03f62034f13fbf70630bdf256a53032e38465a27c36fd6bed7a5e7111652004aef37f7fd92fbfc1285212c4ae6a6154203a48f5e16cad2cef00"),
            KmsSignatures.EnvEncryptPublicKeyPrefix,
            new byte[20],
            null,
            Hex("e33a1832c6562067ff8f844a61e51ad051f1180b66ec2551fb0251735f3ee90a"));
        Assert.Equal("0217610d74cbd39b6143842c6d8bc310d79da1d82cc9d17f8876376221eda0c38f", Convert.ToHexStringLower(signer!));
    }

    [Fact]
    public void Digests_MatchKmsSection38()
    {
        var appId = Enumerable.Repeat((byte)0x11, 20).ToArray();
        var appPub = Hex("02a594d1e64985d03463fc26e666eaf6a82b6c75834ca8c25810b25069b401ebc3");
        var envPub = Hex("93cf259f68b24775d54290a8ea57cf93efc994d3ff28a7b8ba7a39e9f512302f");
        Assert.Equal("c5ef3966bf1ef7153f8eeabebbed7940eda1fb8f7e762cede045ff7d67d36ca7",
            Convert.ToHexStringLower(KmsSignatures.Digest(KmsSignatures.KmsIssuedPrefix, appId, null, appPub)));
        Assert.Equal("be4d23c54744e195513578c62484a9cb7d50cd6a0e433cea904f2a6835f04f79",
            Convert.ToHexStringLower(KmsSignatures.Digest(KmsSignatures.EnvEncryptPublicKeyPrefix, appId, null, envPub)));
        Assert.Equal("fef922e851b993efbe61e5b95011d09421ed0ac5dec46f6731491da5b03a0383",
            Convert.ToHexStringLower(KmsSignatures.Digest(KmsSignatures.EnvEncryptPublicKeyPrefix, appId, 1700000000, envPub)));
    }

    [Fact]
    public void Sign_ThenRecover_RoundTrips()
    {
        var root = Enumerable.Repeat((byte)0x01, 32).ToArray();
        var signature = KmsSignatures.Sign(Secp, root, KmsSignatures.EnvEncryptPublicKeyPrefix, new byte[20], 42, [1, 2, 3]);
        Assert.Equal(65, signature.Length);
        Assert.InRange(signature[64], 0, 1);
        var signer = KmsSignatures.RecoverSigner(Secp, signature, KmsSignatures.EnvEncryptPublicKeyPrefix, new byte[20], 42, [1, 2, 3]);
        Assert.Equal("031b84c5567b126440995d3ed5aaba0565d71e1834604819ff9c17f5e9d5dd078f", Convert.ToHexStringLower(signer!));
        var other = KmsSignatures.RecoverSigner(Secp, signature, KmsSignatures.EnvEncryptPublicKeyPrefix, new byte[20], 43, [1, 2, 3]);
        Assert.NotEqual(signer, other);
    }
}
