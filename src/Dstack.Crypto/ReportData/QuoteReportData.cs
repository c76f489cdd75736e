using System.Security.Cryptography;
using Dstack.Crypto.Ethereum;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;

namespace Dstack.Crypto.ReportData;

/// <summary>
/// REPORTDATA conventions: <c>QuoteContentType</c> (<c>H(tag ‖ ":" ‖ content)</c> zero-padded to 64 bytes), the
/// GetQuote padding rule, the legacy Tappd <c>TdxQuote</c> rule, the RA-TLS binding, the <c>dip1</c> app-key
/// strings and the KMS bootstrap binding.
/// </summary>
public static class QuoteReportData
{
    /// <summary>REPORTDATA length.</summary>
    public const int Length = 64;

    /// <summary>Tag of RA-TLS certificate keys.</summary>
    public const string RaTlsCertTag = "ratls-cert";

    /// <summary>Tag of application data (the Tappd default).</summary>
    public const string AppDataTag = "app-data";

    /// <summary>Tag of the KMS root CA.</summary>
    public const string KmsRootCaTag = "kms-root-ca";

    /// <summary>The default hash algorithm.</summary>
    public const string DefaultHashAlgorithm = "sha512";

    /// <summary>The algorithm that takes exactly 64 bytes of content as is.</summary>
    public const string RawHashAlgorithm = "raw";

    /// <summary>Error text of GetQuote for more than 64 bytes.</summary>
    public const string ReportDataTooLong = "Report data is too long";

    /// <summary>Error text of an unknown hash algorithm.</summary>
    public const string InvalidHashAlgorithm = "invalid hash algorithm";

    /// <summary>Error text of raw content that is not 64 bytes.</summary>
    public const string InvalidContentLength = "invalid content length";

    /// <summary><c>H(tag ‖ ":" ‖ content)</c> right-padded with zeros to 64 bytes, or the raw 64 bytes.</summary>
    /// <param name="tag">Content-type tag, e.g. <c>ratls-cert</c>.</param>
    /// <param name="content">Content bytes.</param>
    /// <param name="hashAlgorithm">One of sha256, sha384, sha512, sha3-256, sha3-384, sha3-512, keccak256, keccak384, keccak512, raw; empty = sha512.</param>
    /// <returns>64 bytes.</returns>
    public static byte[] Compute(string tag, ReadOnlySpan<byte> content, string? hashAlgorithm = DefaultHashAlgorithm)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var algorithm = string.IsNullOrEmpty(hashAlgorithm) ? DefaultHashAlgorithm : hashAlgorithm;
        if (algorithm == RawHashAlgorithm)
        {
            return content.Length == Length ? content.ToArray() : throw new DstackCryptoException(InvalidContentLength);
        }

        var tagBytes = System.Text.Encoding.UTF8.GetBytes(tag);
        var preimage = new byte[tagBytes.Length + 1 + content.Length];
        tagBytes.CopyTo(preimage, 0);
        preimage[tagBytes.Length] = (byte)':';
        content.CopyTo(preimage.AsSpan(tagBytes.Length + 1));

        var digest = Hash(algorithm, preimage);
        var result = new byte[Length];
        digest.CopyTo(result, 0);
        return result;
    }

    /// <summary>GetQuote/Attest: at most 64 bytes, right-padded with zeros, never hashed.</summary>
    /// <param name="reportData">Caller bytes.</param>
    /// <returns>64 bytes.</returns>
    public static byte[] Pad(ReadOnlySpan<byte> reportData)
    {
        if (reportData.Length > Length)
        {
            throw new DstackCryptoException(ReportDataTooLong);
        }

        var result = new byte[Length];
        reportData.CopyTo(result);
        return result;
    }

    /// <summary>The legacy Tappd <c>TdxQuote</c> rule (guest-agent-api §2.12).</summary>
    /// <param name="reportData">Caller bytes.</param>
    /// <param name="hashAlgorithm">Requested algorithm; empty = sha512.</param>
    /// <param name="prefix">Requested tag; empty = <c>app-data</c>.</param>
    /// <returns>REPORTDATA plus the response's algorithm and prefix.</returns>
    public static TdxQuoteReportData ForTdxQuote(ReadOnlySpan<byte> reportData, string? hashAlgorithm, string? prefix)
    {
        var algorithm = string.IsNullOrEmpty(hashAlgorithm) ? DefaultHashAlgorithm : hashAlgorithm;
        if (algorithm == RawHashAlgorithm)
        {
            return new TdxQuoteReportData(Compute(string.Empty, reportData, RawHashAlgorithm), RawHashAlgorithm, string.Empty);
        }

        var tag = string.IsNullOrEmpty(prefix) ? AppDataTag : prefix;
        return new TdxQuoteReportData(Compute(tag, reportData, algorithm), algorithm, tag);
    }

    /// <summary>RA-TLS binding: <c>SHA-512("ratls-cert:" ‖ SubjectPublicKeyInfo DER)</c>.</summary>
    /// <param name="subjectPublicKeyInfo">The certificate key's SPKI DER.</param>
    /// <returns>64 bytes.</returns>
    public static byte[] ForRaTlsCertificate(ReadOnlySpan<byte> subjectPublicKeyInfo) => Compute(RaTlsCertTag, subjectPublicKeyInfo);

    /// <summary>GetAttestationForAppKey, Ed25519: <c>"dip1::ed25519-pk:" + base64url(pub)</c>, zero-padded.</summary>
    /// <param name="publicKey">32-byte Ed25519 public key.</param>
    /// <returns>64 bytes.</returns>
    public static byte[] ForEd25519AppKey(ReadOnlySpan<byte> publicKey) =>
        Pad(System.Text.Encoding.ASCII.GetBytes("dip1::ed25519-pk:" + Base64UrlNoPad(publicKey)));

    /// <summary>GetAttestationForAppKey, secp256k1: <c>"dip1::secp256k1c-pk:" + base64url(compressed)</c>.</summary>
    /// <param name="compressedPublicKey">33-byte compressed secp256k1 public key.</param>
    /// <returns>64 bytes.</returns>
    public static byte[] ForSecp256k1AppKey(ReadOnlySpan<byte> compressedPublicKey) =>
        Pad(System.Text.Encoding.ASCII.GetBytes("dip1::secp256k1c-pk:" + Base64UrlNoPad(compressedPublicKey)));

    /// <summary>
    /// KMS bootstrap binding: <c>keccak256("dstack-kms-genereted-keys-v1:" + hex(ca_spki) + ";" + hex(k256_pub) + ";")</c>
    /// followed by 32 zero bytes (the misspelling is part of the wire format).
    /// </summary>
    /// <param name="rootCaSubjectPublicKeyInfo">Root CA SPKI DER.</param>
    /// <param name="k256CompressedPublicKey">33-byte root k256 public key.</param>
    /// <returns>64 bytes.</returns>
    public static byte[] ForKmsBootstrap(ReadOnlySpan<byte> rootCaSubjectPublicKeyInfo, ReadOnlySpan<byte> k256CompressedPublicKey)
    {
        var text = "dstack-kms-genereted-keys-v1:" + Convert.ToHexStringLower(rootCaSubjectPublicKeyInfo) + ";"
            + Convert.ToHexStringLower(k256CompressedPublicKey) + ";";
        var result = new byte[Length];
        Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(text), result);
        return result;
    }

    private static string Base64UrlNoPad(ReadOnlySpan<byte> data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Hash(string algorithm, byte[] preimage) => algorithm switch
    {
        "sha256" => SHA256.HashData(preimage),
        "sha384" => SHA384.HashData(preimage),
        "sha512" => SHA512.HashData(preimage),
        "sha3-256" => BouncyHash(new Sha3Digest(256), preimage),
        "sha3-384" => BouncyHash(new Sha3Digest(384), preimage),
        "sha3-512" => BouncyHash(new Sha3Digest(512), preimage),
        "keccak256" => BouncyHash(new KeccakDigest(256), preimage),
        "keccak384" => BouncyHash(new KeccakDigest(384), preimage),
        "keccak512" => BouncyHash(new KeccakDigest(512), preimage),
        _ => throw new DstackCryptoException(InvalidHashAlgorithm),
    };

    private static byte[] BouncyHash(IDigest digest, byte[] preimage)
    {
        digest.BlockUpdate(preimage);
        var output = new byte[digest.GetDigestSize()];
        digest.DoFinal(output);
        return output;
    }
}
