using Secp256k1Net;
using NativeContext = Secp256k1Net.Secp256k1;

namespace Dstack.Crypto.Secp256k1;

/// <summary>
/// secp256k1 on bitcoin-core's libsecp256k1 (the native library shipped inside the Secp256k1.Net package, loaded
/// from beside the application or from its <c>runtimes/&lt;rid&gt;/native</c> folder). Signing uses the library's
/// default nonce, RFC 6979 with HMAC-SHA256, and always yields low-S signatures.
/// </summary>
/// <remarks>
/// Every argument is checked here before it reaches native code, so the library's illegal-argument callback never
/// fires. Each thread uses its own native context, as the wrapper recommends; the type itself is stateless.
/// </remarks>
public sealed class LibSecp256k1 : ISecp256k1
{
    // sizes of the library's opaque in-memory structures (not serialised forms)
    private const int NativePublicKeyLength = 64;
    private const int NativeSignatureLength = 64;
    private const int NativeRecoverableSignatureLength = 65;

    [ThreadStatic]
    private static NativeContext? _context;

    private LibSecp256k1()
    {
    }

    /// <summary>The shared instance; safe to use from any number of threads.</summary>
    public static LibSecp256k1 Instance { get; } = new();

    private static NativeContext Context => _context ??= new NativeContext();

    /// <inheritdoc />
    public bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey) =>
        privateKey.Length == Secp256k1Lengths.PrivateKey && Context.EcSeckeyVerify(privateKey);

    /// <inheritdoc />
    public void GetPublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        var compressed = PublicKeyForm(publicKey.Length, nameof(publicKey));
        CheckPrivateKey(privateKey);
        Span<byte> point = stackalloc byte[NativePublicKeyLength];
        if (!Context.EcPubkeyCreate(point, privateKey))
        {
            throw new DstackCryptoException("Invalid secp256k1 private key");
        }

        Serialize(point, publicKey, compressed);
    }

    /// <inheritdoc />
    public bool TryConvertPublicKey(ReadOnlySpan<byte> publicKey, Span<byte> destination)
    {
        var compressed = PublicKeyForm(destination.Length, nameof(destination));
        Span<byte> point = stackalloc byte[NativePublicKeyLength];
        if (!TryParsePublicKey(publicKey, point))
        {
            return false;
        }

        Serialize(point, destination, compressed);
        return true;
    }

    /// <inheritdoc />
    public void Sign(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> privateKey, Span<byte> signature)
    {
        if (hash.Length != Secp256k1Lengths.Hash)
        {
            throw new ArgumentException("The digest must be 32 bytes.", nameof(hash));
        }

        if (signature.Length is not (Secp256k1Lengths.CompactSignature or Secp256k1Lengths.RecoverableSignature))
        {
            throw new ArgumentException("The signature destination must be 64 or 65 bytes.", nameof(signature));
        }

        CheckPrivateKey(privateKey);
        var context = Context;
        Span<byte> native = stackalloc byte[NativeRecoverableSignatureLength];
        if (!context.EcdsaSignRecoverable(native, hash, privateKey))
        {
            throw new DstackCryptoException("Invalid secp256k1 private key");
        }

        Span<byte> compact = stackalloc byte[Secp256k1Lengths.CompactSignature];
        context.EcdsaRecoverableSignatureSerializeCompact(compact, out var recoveryId, native);
        compact.CopyTo(signature);
        if (signature.Length == Secp256k1Lengths.RecoverableSignature)
        {
            signature[64] = (byte)recoveryId;
        }
    }

    /// <inheritdoc />
    public bool TryRecover(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature, Span<byte> publicKey)
    {
        var compressed = PublicKeyForm(publicKey.Length, nameof(publicKey));
        if (hash.Length != Secp256k1Lengths.Hash || signature.Length != Secp256k1Lengths.RecoverableSignature
            || signature[64] > 3)
        {
            return false;
        }

        var context = Context;
        Span<byte> native = stackalloc byte[NativeRecoverableSignatureLength];
        Span<byte> point = stackalloc byte[NativePublicKeyLength];
        if (!context.EcdsaRecoverableSignatureParseCompact(native, signature[..64], signature[64])
            || !context.EcdsaRecover(point, native, hash))
        {
            return false;
        }

        Serialize(point, publicKey, compressed);
        return true;
    }

    /// <inheritdoc />
    public bool Verify(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> publicKey)
    {
        if (hash.Length != Secp256k1Lengths.Hash || signature.Length != Secp256k1Lengths.CompactSignature)
        {
            return false;
        }

        var context = Context;
        Span<byte> point = stackalloc byte[NativePublicKeyLength];
        Span<byte> native = stackalloc byte[NativeSignatureLength];

        // the library's verify rejects high-S signatures itself
        return TryParsePublicKey(publicKey, point)
            && context.EcdsaSignatureParseCompact(native, signature)
            && context.EcdsaVerify(native, hash, point);
    }

    private static void CheckPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != Secp256k1Lengths.PrivateKey || !Context.EcSeckeyVerify(privateKey))
        {
            throw new DstackCryptoException("Invalid secp256k1 private key");
        }
    }

    /// <summary>Parses SEC1 compressed (02/03) or uncompressed (04) keys; the hybrid forms (06/07) the library also takes are refused.</summary>
    private static bool TryParsePublicKey(ReadOnlySpan<byte> encoded, Span<byte> point)
    {
        var wellFormed = encoded.Length switch
        {
            Secp256k1Lengths.CompressedPublicKey => encoded[0] is 0x02 or 0x03,
            Secp256k1Lengths.UncompressedPublicKey => encoded[0] == 0x04,
            _ => false,
        };
        return wellFormed && Context.EcPubkeyParse(point, encoded);
    }

    private static bool PublicKeyForm(int length, string parameterName) => length switch
    {
        Secp256k1Lengths.CompressedPublicKey => true,
        Secp256k1Lengths.UncompressedPublicKey => false,
        _ => throw new ArgumentException("The public key destination must be 33 or 65 bytes.", parameterName),
    };

    private static void Serialize(ReadOnlySpan<byte> point, Span<byte> destination, bool compressed)
    {
        var length = (nuint)destination.Length;
        var flags = compressed ? Secp256k1EcFlags.Compressed : Secp256k1EcFlags.Uncompressed;
        if (!Context.EcPubkeySerialize(destination, ref length, point, flags) || length != (nuint)destination.Length)
        {
            throw new DstackCryptoException("secp256k1 public key serialisation failed");
        }
    }
}
