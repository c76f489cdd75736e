using System.Security.Cryptography;
using Dstack.Crypto.Edwards;
using Dstack.Crypto.Kdf;
using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;

namespace Dstack.Crypto.Keys;

/// <summary>
/// The agent's app-key operations over the app root k256 key: <c>GetKey</c>, <c>Sign</c>, <c>Verify</c> and the
/// legacy Tappd <c>DeriveKey</c> P-256 derivation (guest-agent-api §2.1, §2.6, §2.7, §2.12, §3). Derived keys of recent
/// paths stay in a bounded in-memory cache (<see cref="RecentKeyGeneration"/>).
/// </summary>
public sealed class AppKeyService
{
    /// <summary>The GetKey path of the Sign key.</summary>
    public const string SigningPath = "vms";

    /// <summary>The GetKey purpose of the Sign key.</summary>
    public const string SigningPurpose = "signing";

    /// <summary>
    /// Derived keys of this many recent (path, purpose, algorithm) requests, up to twice as many, are kept in memory, so
    /// a path asked again costs no derivation and no signature.
    /// </summary>
    public const int RecentKeyGeneration = 1024;

    private readonly byte[] _appRootKey;
    private readonly byte[] _kmsSignature;
    private readonly ISecp256k1 _secp256k1;
    private readonly RecentKeys<(string, string, KeyAlgorithm), GetKeyResult> _recent = new(RecentKeyGeneration);

    /// <summary>Creates the service.</summary>
    /// <param name="appRootKey">The app root secp256k1 key (<c>k256_key</c>).</param>
    /// <param name="kmsSignature">The KMS signature (<c>k256_signature</c>), empty without a KMS.</param>
    /// <param name="secp256k1">secp256k1 backend.</param>
    public AppKeyService(ReadOnlySpan<byte> appRootKey, ReadOnlySpan<byte> kmsSignature, ISecp256k1 secp256k1)
    {
        ArgumentNullException.ThrowIfNull(secp256k1);
        if (!secp256k1.IsValidPrivateKey(appRootKey))
        {
            throw new DstackCryptoException("Invalid app root key");
        }

        _appRootKey = appRootKey.ToArray();
        _kmsSignature = kmsSignature.ToArray();
        _secp256k1 = secp256k1;
        var publicKey = new byte[Secp256k1Lengths.CompressedPublicKey];
        secp256k1.GetPublicKey(_appRootKey, publicKey);
        AppRootPublicKey = publicKey;
    }

    /// <summary>The compressed public key of the app root key.</summary>
    public ReadOnlyMemory<byte> AppRootPublicKey { get; }

    /// <summary><c>GetKey(path, purpose, algorithm)</c>.</summary>
    /// <param name="path">Derivation path (HKDF info, UTF-8).</param>
    /// <param name="purpose">Only affects <c>signature_chain[0]</c>.</param>
    /// <param name="algorithm">Request algorithm string.</param>
    /// <returns>The key, its public key and the two-element chain.</returns>
    public GetKeyResult GetKey(string path, string purpose, string? algorithm) =>
        GetKey(path, purpose, KeyAlgorithmNames.ParseForGetKey(algorithm));

    /// <summary><c>GetKey</c> with a parsed algorithm (<see cref="KeyAlgorithm.Secp256k1"/> or <see cref="KeyAlgorithm.Ed25519"/>).</summary>
    /// <param name="path">Derivation path.</param>
    /// <param name="purpose">Signature-chain purpose.</param>
    /// <param name="algorithm">Algorithm.</param>
    /// <returns>The key, its public key and the two-element chain.</returns>
    public GetKeyResult GetKey(string path, string purpose, KeyAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(purpose);
        if (algorithm is not (KeyAlgorithm.Secp256k1 or KeyAlgorithm.Ed25519))
        {
            throw new DstackCryptoException(KeyAlgorithmNames.UnsupportedAlgorithm);
        }

        return _recent.GetOrAdd((path, purpose, algorithm), Derive);
    }

    // deterministic (HKDF, then an RFC 6979 signature): a cached result is the result
    private GetKeyResult Derive((string Path, string Purpose, KeyAlgorithm Algorithm) request)
    {
        var (path, purpose, algorithm) = request;
        var info = System.Text.Encoding.UTF8.GetBytes(path);
        byte[] key;
        byte[] publicKey;
        switch (algorithm)
        {
            case KeyAlgorithm.Secp256k1:
                key = DstackKdf.DeriveSecp256k1PrivateKey(_appRootKey, info, _secp256k1);
                publicKey = new byte[Secp256k1Lengths.CompressedPublicKey];
                _secp256k1.GetPublicKey(key, publicKey);
                break;
            case KeyAlgorithm.Ed25519:
                key = DstackKdf.DeriveKey(_appRootKey, info);
                publicKey = Ed25519.GetPublicKey(key);
                break;
            default:
                throw new DstackCryptoException(KeyAlgorithmNames.UnsupportedAlgorithm);
        }

        var appSignature = DerivedKeySignatures.Sign(_secp256k1, _appRootKey, purpose, publicKey);
        return new GetKeyResult(key, publicKey, [appSignature, _kmsSignature.ToArray()]);
    }

    /// <summary><c>Sign(algorithm, data)</c> with the <c>GetKey("vms", "signing")</c> key.</summary>
    /// <param name="algorithm">Request algorithm string (must be explicit).</param>
    /// <param name="data">Data to sign (the digest for <c>secp256k1_prehashed</c>).</param>
    /// <returns>The signature, the three-element chain and the public key.</returns>
    public SignResult Sign(string? algorithm, ReadOnlySpan<byte> data)
    {
        var parsed = KeyAlgorithmNames.ParseForSign(algorithm);
        var keyAlgorithm = parsed == KeyAlgorithm.Ed25519 ? KeyAlgorithm.Ed25519 : KeyAlgorithm.Secp256k1;
        if (parsed == KeyAlgorithm.Secp256k1Prehashed && data.Length != Secp256k1Lengths.Hash)
        {
            throw new DstackCryptoException(PrehashLengthMessage(data.Length));
        }

        var derived = GetKey(SigningPath, SigningPurpose, keyAlgorithm);
        var key = derived.Key.ToArray();
        try
        {
            byte[] signature;
            switch (parsed)
            {
                case KeyAlgorithm.Ed25519:
                    signature = Ed25519.Sign(key, data);
                    break;
                case KeyAlgorithm.Secp256k1:
                    signature = new byte[Secp256k1Lengths.CompactSignature];
                    _secp256k1.Sign(SHA256.HashData(data), key, signature);
                    break;
                default:
                    signature = new byte[Secp256k1Lengths.CompactSignature];
                    _secp256k1.Sign(data, key, signature);
                    break;
            }

            return new SignResult(signature, [signature, derived.SignatureChain[0], derived.SignatureChain[1]], derived.PublicKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Tappd <c>DeriveKey</c>: the deterministic P-256 scalar for <paramref name="path"/>.</summary>
    /// <param name="path">Derivation path.</param>
    /// <returns>32-byte P-256 scalar.</returns>
    public byte[] DeriveP256Key(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return DstackKdf.DeriveP256PrivateKey(_appRootKey, System.Text.Encoding.UTF8.GetBytes(path));
    }

    /// <summary>Tappd <c>DeriveKey</c> with <c>random_seed=true</c>: IKM is 32 fresh random bytes, info is the path.</summary>
    /// <param name="path">Derivation path.</param>
    /// <returns>32-byte P-256 scalar.</returns>
    public static byte[] DeriveRandomP256Key(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var seed = RandomNumberGenerator.GetBytes(DstackKdf.KeyLength);
        try
        {
            return DstackKdf.DeriveP256PrivateKey(seed, System.Text.Encoding.UTF8.GetBytes(path));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>
    /// <c>Verify(algorithm, data, signature, public_key)</c>. Malformed keys or signatures throw (HTTP 400);
    /// a well-formed but wrong signature returns false.
    /// </summary>
    /// <param name="secp256k1">secp256k1 backend.</param>
    /// <param name="algorithm">Request algorithm string.</param>
    /// <param name="data">Signed data (digest for <c>secp256k1_prehashed</c>).</param>
    /// <param name="signature">Signature bytes.</param>
    /// <param name="publicKey">Public key bytes.</param>
    /// <returns>Whether the signature is valid.</returns>
    public static bool Verify(ISecp256k1 secp256k1, string? algorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> publicKey)
    {
        ArgumentNullException.ThrowIfNull(secp256k1);
        var parsed = KeyAlgorithmNames.ParseForSign(algorithm);
        if (parsed == KeyAlgorithm.Ed25519)
        {
            if (!Ed25519.IsValidPublicKey(publicKey))
            {
                throw new DstackCryptoException("Invalid ed25519 public key");
            }

            if (signature.Length != Ed25519.SignatureLength)
            {
                throw new DstackCryptoException("Invalid ed25519 signature");
            }

            return Ed25519.Verify(publicKey, data, signature);
        }

        Span<byte> normalized = stackalloc byte[Secp256k1Lengths.CompressedPublicKey];
        if (!secp256k1.TryConvertPublicKey(publicKey, normalized))
        {
            throw new DstackCryptoException("Invalid secp256k1 public key");
        }

        if (signature.Length != Secp256k1Lengths.CompactSignature)
        {
            throw new DstackCryptoException("Invalid secp256k1 signature");
        }

        if (parsed == KeyAlgorithm.Secp256k1Prehashed)
        {
            if (data.Length != Secp256k1Lengths.Hash)
            {
                throw new DstackCryptoException(PrehashLengthMessage(data.Length));
            }

            return secp256k1.Verify(data, signature, normalized);
        }

        return secp256k1.Verify(SHA256.HashData(data), signature, normalized);
    }

    private static string PrehashLengthMessage(int length) =>
        $"Pre-hashed signing requires a 32-byte digest, but received {length} bytes";
}
