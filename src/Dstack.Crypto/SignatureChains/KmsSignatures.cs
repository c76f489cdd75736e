using System.Buffers.Binary;
using Dstack.Crypto.Ethereum;
using Dstack.Crypto.Secp256k1;

namespace Dstack.Crypto.SignatureChains;

/// <summary>
/// KMS root-key signatures: secp256k1 over <c>keccak256(prefix ‖ ":" ‖ app_id ‖ [timestamp u64 BE] ‖ message)</c>,
/// encoded as 65 bytes <c>r ‖ s ‖ v</c> with v ∈ {0,1}; no Ethereum message prefix.
/// </summary>
public static class KmsSignatures
{
    /// <summary>Prefix of the app-key certificate (<c>signature_chain[1]</c>).</summary>
    public const string KmsIssuedPrefix = "dstack-kms-issued";

    /// <summary>Prefix of the env-encryption public-key signatures.</summary>
    public const string EnvEncryptPublicKeyPrefix = "dstack-env-encrypt-pubkey";

    /// <summary>Builds the signed message bytes.</summary>
    /// <param name="prefix">ASCII prefix.</param>
    /// <param name="appId">Raw app id.</param>
    /// <param name="timestamp">Optional Unix timestamp, appended as 8 bytes big-endian.</param>
    /// <param name="message">Message bytes.</param>
    /// <returns>The preimage.</returns>
    public static byte[] BuildMessage(string prefix, ReadOnlySpan<byte> appId, ulong? timestamp, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var prefixBytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        var length = prefixBytes.Length + 1 + appId.Length + (timestamp.HasValue ? 8 : 0) + message.Length;
        var buffer = new byte[length];
        var span = buffer.AsSpan();
        prefixBytes.CopyTo(span);
        span = span[prefixBytes.Length..];
        span[0] = (byte)':';
        span = span[1..];
        appId.CopyTo(span);
        span = span[appId.Length..];
        if (timestamp is { } ts)
        {
            BinaryPrimitives.WriteUInt64BigEndian(span, ts);
            span = span[8..];
        }

        message.CopyTo(span);
        return buffer;
    }

    /// <summary>Keccak-256 of <see cref="BuildMessage"/>.</summary>
    /// <param name="prefix">ASCII prefix.</param>
    /// <param name="appId">Raw app id.</param>
    /// <param name="timestamp">Optional Unix timestamp.</param>
    /// <param name="message">Message bytes.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] Digest(string prefix, ReadOnlySpan<byte> appId, ulong? timestamp, ReadOnlySpan<byte> message) =>
        Keccak256.Hash(BuildMessage(prefix, appId, timestamp, message));

    /// <summary>Signs a KMS message with a root key.</summary>
    /// <param name="secp256k1">secp256k1 backend.</param>
    /// <param name="signingKey">KMS root secp256k1 scalar.</param>
    /// <param name="prefix">ASCII prefix.</param>
    /// <param name="appId">Raw app id.</param>
    /// <param name="timestamp">Optional Unix timestamp.</param>
    /// <param name="message">Message bytes.</param>
    /// <returns>65 bytes <c>r ‖ s ‖ v</c>.</returns>
    public static byte[] Sign(
        ISecp256k1 secp256k1,
        ReadOnlySpan<byte> signingKey,
        string prefix,
        ReadOnlySpan<byte> appId,
        ulong? timestamp,
        ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(secp256k1);
        var signature = new byte[Secp256k1Lengths.RecoverableSignature];
        secp256k1.Sign(Digest(prefix, appId, timestamp, message), signingKey, signature);
        return signature;
    }

    /// <summary>Recovers the compressed public key that produced a KMS signature.</summary>
    /// <param name="secp256k1">secp256k1 backend.</param>
    /// <param name="signature">65 bytes.</param>
    /// <param name="prefix">ASCII prefix.</param>
    /// <param name="appId">Raw app id.</param>
    /// <param name="timestamp">Optional Unix timestamp.</param>
    /// <param name="message">Message bytes.</param>
    /// <returns>33-byte compressed key, or null if nothing can be recovered.</returns>
    public static byte[]? RecoverSigner(
        ISecp256k1 secp256k1,
        ReadOnlySpan<byte> signature,
        string prefix,
        ReadOnlySpan<byte> appId,
        ulong? timestamp,
        ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(secp256k1);
        var publicKey = new byte[Secp256k1Lengths.CompressedPublicKey];
        return secp256k1.TryRecover(Digest(prefix, appId, timestamp, message), signature, publicKey) ? publicKey : null;
    }
}
