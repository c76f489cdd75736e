using Dstack.Crypto.Ethereum;
using Dstack.Crypto.Secp256k1;

namespace Dstack.Crypto.SignatureChains;

/// <summary>
/// <c>signature_chain[0]</c>: the app root key's signature over
/// <c>keccak256(purpose ‖ ":" ‖ lowercase_hex(derived public key))</c>.
/// </summary>
public static class DerivedKeySignatures
{
    /// <summary>The signed text, e.g. <c>test-purpose:02c1…f566</c>.</summary>
    /// <param name="purpose">GetKey purpose.</param>
    /// <param name="derivedPublicKey">Compressed secp256k1 (33 bytes) or Ed25519 (32 bytes) public key.</param>
    /// <returns>The message string.</returns>
    public static string Message(string purpose, ReadOnlySpan<byte> derivedPublicKey)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        return purpose + ":" + Convert.ToHexStringLower(derivedPublicKey);
    }

    /// <summary>Keccak-256 of <see cref="Message"/> in UTF-8.</summary>
    /// <param name="purpose">GetKey purpose.</param>
    /// <param name="derivedPublicKey">Derived public key.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] Digest(string purpose, ReadOnlySpan<byte> derivedPublicKey) =>
        Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(Message(purpose, derivedPublicKey)));

    /// <summary>Signs a derived public key with the app root key.</summary>
    /// <param name="secp256k1">secp256k1 backend.</param>
    /// <param name="appRootKey">App root secp256k1 scalar.</param>
    /// <param name="purpose">GetKey purpose.</param>
    /// <param name="derivedPublicKey">Derived public key.</param>
    /// <returns>65 bytes <c>r ‖ s ‖ v</c>.</returns>
    public static byte[] Sign(ISecp256k1 secp256k1, ReadOnlySpan<byte> appRootKey, string purpose, ReadOnlySpan<byte> derivedPublicKey)
    {
        ArgumentNullException.ThrowIfNull(secp256k1);
        var signature = new byte[Secp256k1Lengths.RecoverableSignature];
        secp256k1.Sign(Digest(purpose, derivedPublicKey), appRootKey, signature);
        return signature;
    }

    /// <summary>Recovers the app root public key (compressed) from <c>signature_chain[0]</c>.</summary>
    /// <param name="secp256k1">secp256k1 backend.</param>
    /// <param name="signature">65 bytes.</param>
    /// <param name="purpose">GetKey purpose.</param>
    /// <param name="derivedPublicKey">Derived public key.</param>
    /// <returns>33 bytes, or null.</returns>
    public static byte[]? RecoverAppRootKey(ISecp256k1 secp256k1, ReadOnlySpan<byte> signature, string purpose, ReadOnlySpan<byte> derivedPublicKey)
    {
        ArgumentNullException.ThrowIfNull(secp256k1);
        var publicKey = new byte[Secp256k1Lengths.CompressedPublicKey];
        return secp256k1.TryRecover(Digest(purpose, derivedPublicKey), signature, publicKey) ? publicKey : null;
    }
}
