using System.Security.Cryptography;
using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;

namespace Dstack.Crypto.Kdf;

/// <summary>The KMS-side derivations of per-app keys from the KMS root keys (kms.md §3).</summary>
public static class KmsKeyDerivation
{
    private static readonly byte[] AppKeyLabel = "app-key"u8.ToArray();
    private static readonly byte[] AppCaLabel = "app-ca"u8.ToArray();
    private static readonly byte[] DiskLabel = "app-disk-crypt-key"u8.ToArray();
    private static readonly byte[] EnvLabel = "env-encrypt-key"u8.ToArray();

    /// <summary>Derives everything <c>GetAppKey</c> returns except the certificates.</summary>
    /// <param name="secp256k1">secp256k1 backend.</param>
    /// <param name="rootCaKey">KMS root CA P-256 scalar.</param>
    /// <param name="k256RootKey">KMS root secp256k1 scalar.</param>
    /// <param name="appId">Raw app id (normally 20 bytes).</param>
    /// <param name="instanceId">Raw instance id (may be empty).</param>
    /// <returns>The key material.</returns>
    public static KmsAppKeyMaterial DeriveAppKeys(
        ISecp256k1 secp256k1,
        ReadOnlySpan<byte> rootCaKey,
        ReadOnlySpan<byte> k256RootKey,
        ReadOnlySpan<byte> appId,
        ReadOnlySpan<byte> instanceId)
    {
        ArgumentNullException.ThrowIfNull(secp256k1);
        var k256 = DeriveAppK256Key(secp256k1, k256RootKey, appId);
        Span<byte> appPublic = stackalloc byte[Secp256k1Lengths.CompressedPublicKey];
        secp256k1.GetPublicKey(k256, appPublic);
        var signature = KmsSignatures.Sign(secp256k1, k256RootKey, KmsSignatures.KmsIssuedPrefix, appId, null, appPublic);
        return new KmsAppKeyMaterial(
            DeriveDiskCryptKey(rootCaKey, appId, instanceId),
            DeriveEnvCryptKey(rootCaKey, appId),
            k256,
            signature);
    }

    /// <summary>App root key: <c>derive_key(k256_root, [app_id, "app-key"])</c> as a secp256k1 scalar.</summary>
    /// <param name="secp256k1">secp256k1 backend (range check).</param>
    /// <param name="k256RootKey">KMS root secp256k1 scalar.</param>
    /// <param name="appId">Raw app id.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] DeriveAppK256Key(ISecp256k1 secp256k1, ReadOnlySpan<byte> k256RootKey, ReadOnlySpan<byte> appId) =>
        DstackKdf.DeriveSecp256k1PrivateKey(k256RootKey, DstackKdf.Concat([appId.ToArray(), AppKeyLabel]), secp256k1);

    /// <summary>Per-instance disk key: <c>derive_dh_secret(root_ca, [app_id, instance_id, "app-disk-crypt-key"])</c>.</summary>
    /// <param name="rootCaKey">KMS root CA P-256 scalar.</param>
    /// <param name="appId">Raw app id.</param>
    /// <param name="instanceId">Raw instance id (may be empty).</param>
    /// <returns>32 bytes.</returns>
    public static byte[] DeriveDiskCryptKey(ReadOnlySpan<byte> rootCaKey, ReadOnlySpan<byte> appId, ReadOnlySpan<byte> instanceId) =>
        DstackKdf.DeriveDhSecret(rootCaKey, [appId.ToArray(), instanceId.ToArray(), DiskLabel]);

    /// <summary>Env-encryption X25519 secret: <c>derive_dh_secret(root_ca, [app_id, "env-encrypt-key"])</c>.</summary>
    /// <param name="rootCaKey">KMS root CA P-256 scalar.</param>
    /// <param name="appId">Raw app id.</param>
    /// <returns>32 bytes (unclamped).</returns>
    public static byte[] DeriveEnvCryptKey(ReadOnlySpan<byte> rootCaKey, ReadOnlySpan<byte> appId) =>
        DstackKdf.DeriveDhSecret(rootCaKey, [appId.ToArray(), EnvLabel]);

    /// <summary>App CA P-256 key: <c>derive(root_ca, [app_id, "app-ca"])</c>.</summary>
    /// <param name="rootCaKey">KMS root CA P-256 scalar.</param>
    /// <param name="appId">Raw app id.</param>
    /// <returns>32-byte scalar.</returns>
    public static byte[] DeriveAppCaKey(ReadOnlySpan<byte> rootCaKey, ReadOnlySpan<byte> appId) =>
        DstackKdf.DeriveP256PrivateKey(rootCaKey, [appId.ToArray(), AppCaLabel]);

    /// <summary>Generates a fresh random secp256k1 root key (KMS bootstrap).</summary>
    /// <param name="secp256k1">secp256k1 backend (range check).</param>
    /// <returns>32-byte scalar.</returns>
    public static byte[] NewRandomK256Key(ISecp256k1 secp256k1)
    {
        ArgumentNullException.ThrowIfNull(secp256k1);
        while (true)
        {
            var key = RandomNumberGenerator.GetBytes(Secp256k1Lengths.PrivateKey);
            if (secp256k1.IsValidPrivateKey(key))
            {
                return key;
            }
        }
    }
}
