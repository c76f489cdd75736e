using Dstack.Crypto.Encodings;
using Dstack.Crypto.Kdf;
using Dstack.Crypto.Secp256k1;

namespace Dstack.Agent.Dev;

/// <summary>
/// The dev app keys, made the way a KMS makes them but from a local seed: a dev KMS root secp256k1 key and root CA
/// P-256 key are derived from the seed (HKDF, labels <c>dstack-dev-kms-k256-root</c> and <c>dstack-dev-kms-root-ca</c>),
/// and the app keys from those with the KMS formulas (kms.md §3): app root k256 key with its KMS signature
/// (<c>signature_chain[1]</c>), per-instance disk key, env key and app CA key.
/// </summary>
internal sealed class DevKeyMaterial
{
    private DevKeyMaterial(KmsAppKeyMaterial app, byte[] appCaKey, byte[] kmsRootPublicKey, byte[] rootCaSubjectPublicKeyInfo)
    {
        App = app;
        AppCaKey = appCaKey;
        KmsRootPublicKey = kmsRootPublicKey;
        RootCaSubjectPublicKeyInfo = rootCaSubjectPublicKeyInfo;
    }

    /// <summary>App root key, its KMS signature, disk and env keys.</summary>
    public KmsAppKeyMaterial App { get; }

    /// <summary>The app CA P-256 scalar.</summary>
    public byte[] AppCaKey { get; }

    /// <summary>Compressed public key of the dev KMS root k256 key (what <c>signature_chain[1]</c> recovers to).</summary>
    public byte[] KmsRootPublicKey { get; }

    /// <summary>SPKI DER of the dev KMS root CA key (the <c>key-provider</c> id).</summary>
    public byte[] RootCaSubjectPublicKeyInfo { get; }

    /// <summary>The <c>key-provider</c> event payload: <c>{"name":"kms","id":"&lt;hex root CA SPKI&gt;"}</c>.</summary>
    public string KeyProviderInfo => $"{{\"name\":\"kms\",\"id\":\"{Convert.ToHexStringLower(RootCaSubjectPublicKeyInfo)}\"}}";

    /// <summary>Derives everything from the seed and the app/instance identity.</summary>
    public static DevKeyMaterial Derive(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> appId, ReadOnlySpan<byte> instanceId, ISecp256k1 secp256k1)
    {
        ArgumentNullException.ThrowIfNull(secp256k1);
        var k256Root = DstackKdf.DeriveSecp256k1PrivateKey(seed, "dstack-dev-kms-k256-root"u8, secp256k1);
        var rootCa = DstackKdf.DeriveP256PrivateKey(seed, "dstack-dev-kms-root-ca"u8);
        try
        {
            var rootPublic = new byte[Secp256k1Lengths.CompressedPublicKey];
            secp256k1.GetPublicKey(k256Root, rootPublic);
            return new DevKeyMaterial(
                KmsKeyDerivation.DeriveAppKeys(secp256k1, rootCa, k256Root, appId, instanceId),
                KmsKeyDerivation.DeriveAppCaKey(rootCa, appId),
                rootPublic,
                P256KeyEncoding.SubjectPublicKeyInfoOf(rootCa));
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(k256Root);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(rootCa);
        }
    }
}
