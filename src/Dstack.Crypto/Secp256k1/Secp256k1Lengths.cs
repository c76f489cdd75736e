namespace Dstack.Crypto.Secp256k1;

/// <summary>Byte lengths of secp256k1 values.</summary>
public static class Secp256k1Lengths
{
    /// <summary>Private scalar.</summary>
    public const int PrivateKey = 32;

    /// <summary>Digest signed by ECDSA.</summary>
    public const int Hash = 32;

    /// <summary>Compressed SEC1 public key.</summary>
    public const int CompressedPublicKey = 33;

    /// <summary>Uncompressed SEC1 public key.</summary>
    public const int UncompressedPublicKey = 65;

    /// <summary><c>r ‖ s</c>.</summary>
    public const int CompactSignature = 64;

    /// <summary><c>r ‖ s ‖ v</c>.</summary>
    public const int RecoverableSignature = 65;
}
