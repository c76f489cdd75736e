namespace Dstack.Crypto.Keys;

/// <summary>Key algorithms of <c>GetKey</c>, <c>Sign</c> and <c>Verify</c>.</summary>
public enum KeyAlgorithm
{
    /// <summary><c>secp256k1</c> (alias <c>k256</c>); for Sign, ECDSA over SHA-256(data).</summary>
    Secp256k1,

    /// <summary><c>secp256k1_prehashed</c>: Sign/Verify only, data is the 32-byte digest.</summary>
    Secp256k1Prehashed,

    /// <summary><c>ed25519</c>.</summary>
    Ed25519,
}
