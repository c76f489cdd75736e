using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;

namespace Dstack.EndToEnd.Tests.Support;

/// <summary>Recovers who signed an app's k256 key (kms.md §3: <c>k256_signature</c> over the app root public key).</summary>
internal static class KmsSignatureCheck
{
    /// <summary>The app root public key (33 bytes, compressed) of <paramref name="keys"/>.</summary>
    public static byte[] AppRootPublicKey(AppKeys keys)
    {
        var publicKey = new byte[Secp256k1Lengths.CompressedPublicKey];
        LibSecp256k1.Instance.GetPublicKey(keys.K256Key, publicKey);
        return publicKey;
    }

    /// <summary>The compressed public key that produced <c>k256_signature</c> over the app root key for <paramref name="appId"/>, or null.</summary>
    public static byte[]? RecoverKmsSigner(AppKeys keys, byte[] appId) =>
        KmsSignatures.RecoverSigner(LibSecp256k1.Instance, keys.K256Signature, KmsSignatures.KmsIssuedPrefix, appId, null, AppRootPublicKey(keys));
}
