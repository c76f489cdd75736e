namespace Dstack.Crypto.Keys;

/// <summary>Parses the algorithm strings of the guest-agent API.</summary>
public static class KeyAlgorithmNames
{
    /// <summary>Error text for any algorithm the method does not accept.</summary>
    public const string UnsupportedAlgorithm = "Unsupported algorithm";

    /// <summary>GetKey/DeriveK256Key: <c>secp256k1</c>, <c>k256</c>, <c>""</c> (= secp256k1), <c>ed25519</c>.</summary>
    /// <param name="name">The request's algorithm.</param>
    /// <returns>The algorithm.</returns>
    /// <exception cref="DstackCryptoException">Anything else, including <c>secp256k1_prehashed</c>.</exception>
    public static KeyAlgorithm ParseForGetKey(string? name) => name switch
    {
        null or "" or "secp256k1" or "k256" => KeyAlgorithm.Secp256k1,
        "ed25519" => KeyAlgorithm.Ed25519,
        _ => throw new DstackCryptoException(UnsupportedAlgorithm),
    };

    /// <summary>Sign/Verify: an explicit <c>secp256k1</c>, <c>k256</c>, <c>secp256k1_prehashed</c> or <c>ed25519</c>.</summary>
    /// <param name="name">The request's algorithm.</param>
    /// <returns>The algorithm.</returns>
    /// <exception cref="DstackCryptoException">Anything else, including <c>""</c>.</exception>
    public static KeyAlgorithm ParseForSign(string? name) => name switch
    {
        "secp256k1" or "k256" => KeyAlgorithm.Secp256k1,
        "secp256k1_prehashed" => KeyAlgorithm.Secp256k1Prehashed,
        "ed25519" => KeyAlgorithm.Ed25519,
        _ => throw new DstackCryptoException(UnsupportedAlgorithm),
    };
}
