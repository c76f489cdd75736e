using Dstack.Crypto.Secp256k1;

namespace Dstack.Crypto.SignatureChains;

/// <summary>Checks a <c>GetKey</c>/<c>Sign</c> result back to a trusted KMS root key (guest-agent-api §3.5).</summary>
public static class SignatureChainVerifier
{
    /// <summary>
    /// Recovers the app root key from <paramref name="appSignature"/> and the KMS root key from
    /// <paramref name="kmsSignature"/>, and compares the latter with <paramref name="trustedKmsRootKey"/>.
    /// </summary>
    /// <param name="secp256k1">secp256k1 backend.</param>
    /// <param name="purpose">GetKey purpose.</param>
    /// <param name="derivedPublicKey">Compressed secp256k1 or Ed25519 derived public key.</param>
    /// <param name="appSignature"><c>signature_chain[0]</c> (65 bytes).</param>
    /// <param name="kmsSignature"><c>signature_chain[1]</c> (65 bytes).</param>
    /// <param name="appId">Raw 20-byte app id.</param>
    /// <param name="trustedKmsRootKey">KMS root public key in any SEC1 form.</param>
    /// <returns>The recovered app root key (33 bytes) if the chain ends at the trusted key, else null.</returns>
    public static byte[]? Verify(
        ISecp256k1 secp256k1,
        string purpose,
        ReadOnlySpan<byte> derivedPublicKey,
        ReadOnlySpan<byte> appSignature,
        ReadOnlySpan<byte> kmsSignature,
        ReadOnlySpan<byte> appId,
        ReadOnlySpan<byte> trustedKmsRootKey)
    {
        ArgumentNullException.ThrowIfNull(secp256k1);
        Span<byte> trusted = stackalloc byte[Secp256k1Lengths.CompressedPublicKey];
        if (!secp256k1.TryConvertPublicKey(trustedKmsRootKey, trusted))
        {
            return null;
        }

        var appRoot = DerivedKeySignatures.RecoverAppRootKey(secp256k1, appSignature, purpose, derivedPublicKey);
        if (appRoot is null)
        {
            return null;
        }

        var kmsRoot = KmsSignatures.RecoverSigner(secp256k1, kmsSignature, KmsSignatures.KmsIssuedPrefix, appId, null, appRoot);
        return kmsRoot is not null && kmsRoot.AsSpan().SequenceEqual(trusted) ? appRoot : null;
    }
}
