namespace Dstack.Crypto.Secp256k1;

/// <summary>
/// secp256k1 operations dstack needs, over spans so that a native backend can slot in without allocations.
/// Signing is ECDSA with an RFC 6979 (HMAC-SHA256) nonce, normalised to low-S; the recovery id is 0 or 1.
/// Public keys are SEC1: 33 bytes compressed or 65 bytes uncompressed; a destination's length selects the form.
/// </summary>
public interface ISecp256k1
{
    /// <summary>True if <paramref name="privateKey"/> is 32 bytes in [1, n-1].</summary>
    /// <param name="privateKey">Big-endian scalar.</param>
    /// <returns>Whether the key is usable.</returns>
    bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey);

    /// <summary>Writes the public key of a private key; 33-byte destination = compressed, 65 = uncompressed.</summary>
    /// <param name="privateKey">Big-endian scalar in [1, n-1].</param>
    /// <param name="publicKey">Destination of 33 or 65 bytes.</param>
    void GetPublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey);

    /// <summary>Re-encodes a SEC1 public key (33 or 65 bytes) into <paramref name="destination"/> (33 or 65 bytes).</summary>
    /// <param name="publicKey">Any SEC1 encoding.</param>
    /// <param name="destination">Destination of 33 or 65 bytes.</param>
    /// <returns>False if <paramref name="publicKey"/> is not a valid point.</returns>
    bool TryConvertPublicKey(ReadOnlySpan<byte> publicKey, Span<byte> destination);

    /// <summary>Signs a 32-byte digest as <c>r(32) ‖ s(32) ‖ v(1)</c>, low-S, v ∈ {0,1}.</summary>
    /// <param name="hash">The 32-byte digest, used as is.</param>
    /// <param name="privateKey">Big-endian scalar in [1, n-1].</param>
    /// <param name="signature">Destination of 65 bytes (or 64 to omit v).</param>
    void Sign(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> privateKey, Span<byte> signature);

    /// <summary>Recovers the signer's public key from a 65-byte <c>r ‖ s ‖ v</c> signature over a 32-byte digest.</summary>
    /// <param name="hash">The 32-byte digest.</param>
    /// <param name="signature">65 bytes; v is the raw recovery id (0–3).</param>
    /// <param name="publicKey">Destination of 33 or 65 bytes.</param>
    /// <returns>False if the signature is malformed or no key can be recovered.</returns>
    bool TryRecover(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature, Span<byte> publicKey);

    /// <summary>Verifies a 64-byte <c>r ‖ s</c> signature over a 32-byte digest; high-S signatures are rejected.</summary>
    /// <param name="hash">The 32-byte digest.</param>
    /// <param name="signature">64 bytes <c>r ‖ s</c>.</param>
    /// <param name="publicKey">SEC1 public key (33 or 65 bytes).</param>
    /// <returns>True only for a valid low-S signature by that key.</returns>
    bool Verify(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> publicKey);
}
