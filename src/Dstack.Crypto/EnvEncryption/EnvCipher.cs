using System.Security.Cryptography;
using Dstack.Crypto.Edwards;

namespace Dstack.Crypto.EnvEncryption;

/// <summary>
/// The encrypted-env blob: <c>ephemeral X25519 public key (32) ‖ nonce (12) ‖ AES-256-GCM ciphertext ‖ tag (16)</c>,
/// key = the raw X25519 shared secret (no KDF), no AAD.
/// </summary>
public static class EnvCipher
{
    /// <summary>Nonce length.</summary>
    public const int NonceLength = 12;

    /// <summary>Tag length.</summary>
    public const int TagLength = 16;

    /// <summary>Shortest accepted blob (public key and nonce).</summary>
    public const int MinimumLength = X25519.KeyLength + NonceLength;

    /// <summary>Decrypts a blob with the app's env secret.</summary>
    /// <param name="envCryptKey">32-byte X25519 secret (<c>env_crypt_key</c>).</param>
    /// <param name="blob">The encrypted file contents.</param>
    /// <returns>The plaintext.</returns>
    /// <exception cref="EnvEncryptionException">Bad key, short input, zero shared secret or failed authentication.</exception>
    public static byte[] Decrypt(ReadOnlySpan<byte> envCryptKey, ReadOnlySpan<byte> blob)
    {
        if (envCryptKey.Length != X25519.KeyLength)
        {
            throw new EnvEncryptionException(EnvEncryptionError.InvalidKey, "The env encryption key must be 32 bytes");
        }

        if (blob.Length < MinimumLength + TagLength)
        {
            throw new EnvEncryptionException(EnvEncryptionError.TooShort, $"Encrypted env is too short ({blob.Length} bytes)");
        }

        var key = SharedKey(envCryptKey, blob[..X25519.KeyLength]);
        try
        {
            var nonce = blob.Slice(X25519.KeyLength, NonceLength);
            var sealedData = blob[MinimumLength..];
            var ciphertext = sealedData[..^TagLength];
            var plaintext = new byte[ciphertext.Length];
            using var aes = new AesGcm(key, TagLength);
            aes.Decrypt(nonce, ciphertext, sealedData[^TagLength..], plaintext);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new EnvEncryptionException(EnvEncryptionError.AuthenticationFailed, "Encrypted env failed authentication", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Encrypts for a recipient with a fresh ephemeral key and nonce.</summary>
    /// <param name="recipientPublicKey">The app's env X25519 public key.</param>
    /// <param name="plaintext">Plaintext, normally <see cref="EnvDocument.Serialize"/> output.</param>
    /// <returns>The blob.</returns>
    public static byte[] Encrypt(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> plaintext)
    {
        var ephemeral = X25519.GenerateSecret();
        try
        {
            return Encrypt(recipientPublicKey, plaintext, ephemeral, RandomNumberGenerator.GetBytes(NonceLength));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeral);
        }
    }

    internal static byte[] Encrypt(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> ephemeralSecret, ReadOnlySpan<byte> nonce)
    {
        if (recipientPublicKey.Length != X25519.KeyLength)
        {
            throw new EnvEncryptionException(EnvEncryptionError.InvalidKey, "The recipient public key must be 32 bytes");
        }

        var key = SharedKey(ephemeralSecret, recipientPublicKey);
        try
        {
            var blob = new byte[MinimumLength + plaintext.Length + TagLength];
            X25519.GetPublicKey(ephemeralSecret).CopyTo(blob, 0);
            nonce.CopyTo(blob.AsSpan(X25519.KeyLength, NonceLength));
            using var aes = new AesGcm(key, TagLength);
            aes.Encrypt(nonce, plaintext, blob.AsSpan(MinimumLength, plaintext.Length), blob.AsSpan(MinimumLength + plaintext.Length));
            return blob;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static byte[] SharedKey(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> publicKey)
    {
        try
        {
            return X25519.SharedSecret(secret, publicKey);
        }
        catch (DstackCryptoException ex)
        {
            throw new EnvEncryptionException(EnvEncryptionError.ZeroSharedSecret, "X25519 shared secret is zero", ex);
        }
    }
}
