using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Crypto.Edwards;
using Dstack.Crypto.Encodings;
using Dstack.Crypto.Kdf;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;

namespace Dstack.Kms.Keys;

/// <summary>
/// The KMS root keys in memory: the public parts (root CA certificate, compressed k256 root public key, temp CA) and
/// the operations on the secret parts (app-key derivation, k256 signatures, app CA issuance, export for onboarding).
/// The secret scalars never leave this type except through the explicit onboarding export.
/// </summary>
internal sealed class KmsRootKeys : IDisposable
{
    private readonly byte[] _caKey;
    private readonly byte[] _k256Key;
    private readonly byte[] _tempCaKey;
    private readonly byte[] _rpcKey;
    private readonly ISecp256k1 _secp256k1;

    /// <summary>Wraps loaded or generated key material; the arrays are owned (and zeroed on dispose) by this instance.</summary>
    public KmsRootKeys(
        ISecp256k1 secp256k1,
        byte[] caKey,
        byte[] k256Key,
        byte[] tempCaKey,
        byte[] rpcKey,
        string caCertPem,
        string tempCaCertPem,
        string rpcCertPem,
        BootstrapInfo? bootstrap)
    {
        _secp256k1 = secp256k1;
        _caKey = caKey;
        _k256Key = k256Key;
        _tempCaKey = tempCaKey;
        _rpcKey = rpcKey;
        CaCertPem = caCertPem;
        TempCaCertPem = tempCaCertPem;
        RpcCertPem = rpcCertPem;
        CaCertificate = X509Certificate2.CreateFromPem(caCertPem);
        TempCaCertificate = X509Certificate2.CreateFromPem(tempCaCertPem);
        RpcCertificate = X509Certificate2.CreateFromPem(rpcCertPem);
        CaSubjectPublicKeyInfo = P256KeyEncoding.SubjectPublicKeyInfoOf(caKey);
        var k256Public = new byte[Secp256k1Lengths.CompressedPublicKey];
        secp256k1.GetPublicKey(k256Key, k256Public);
        K256PublicKey = k256Public;
        Bootstrap = bootstrap;
    }

    /// <summary>Root CA certificate PEM (as stored).</summary>
    public string CaCertPem { get; }

    /// <summary>Temp CA certificate PEM.</summary>
    public string TempCaCertPem { get; }

    /// <summary>RPC server certificate PEM.</summary>
    public string RpcCertPem { get; }

    /// <summary>Root CA certificate.</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>Temp CA certificate (the mTLS trust anchor for RA-TLS client certificates).</summary>
    public X509Certificate2 TempCaCertificate { get; }

    /// <summary>RPC server certificate (public part).</summary>
    public X509Certificate2 RpcCertificate { get; }

    /// <summary>Root CA SubjectPublicKeyInfo DER (the <c>key-provider</c> id guests measure).</summary>
    public byte[] CaSubjectPublicKeyInfo { get; }

    /// <summary>33-byte compressed k256 root public key.</summary>
    public byte[] K256PublicKey { get; }

    /// <summary>The bootstrap record, when this instance bootstrapped (not onboarded) the keys.</summary>
    public BootstrapInfo? Bootstrap { get; }

    /// <summary>Lowercase hex SHA-256 of the root CA SPKI (safe to log).</summary>
    public string CaFingerprint => Convert.ToHexStringLower(SHA256.HashData(CaSubjectPublicKeyInfo));

    /// <summary>The temp CA private key PEM; public by design (kms.md §1.3 GetTempCaCert).</summary>
    public string TempCaKeyPem => P256KeyEncoding.ToPkcs8Pem(_tempCaKey);

    /// <summary>Derives the <c>GetAppKey</c> secrets of an app instance (kms.md §3.2).</summary>
    public KmsAppKeyMaterial DeriveAppKeys(ReadOnlySpan<byte> appId, ReadOnlySpan<byte> instanceId) =>
        KmsKeyDerivation.DeriveAppKeys(_secp256k1, _caKey, _k256Key, appId, instanceId);

    /// <summary>The app's env-encryption X25519 public key (kms.md §3.3).</summary>
    public byte[] DeriveEnvEncryptPublicKey(ReadOnlySpan<byte> appId)
    {
        var secret = KmsKeyDerivation.DeriveEnvCryptKey(_caKey, appId);
        try
        {
            return X25519.GetPublicKey(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Signs with the k256 root key (kms.md §3.4).</summary>
    public byte[] SignWithK256(string prefix, ReadOnlySpan<byte> appId, ulong? timestamp, ReadOnlySpan<byte> message) =>
        KmsSignatures.Sign(_secp256k1, _k256Key, prefix, appId, timestamp, message);

    /// <summary>The per-app CA key (kms.md §3.5); the caller disposes it.</summary>
    public ECDsa CreateAppCaKey(ReadOnlySpan<byte> appId)
    {
        var scalar = KmsKeyDerivation.DeriveAppCaKey(_caKey, appId);
        try
        {
            return P256KeyEncoding.CreateECDsa(scalar);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }
    }

    /// <summary>The root CA signing key; the caller disposes it.</summary>
    public ECDsa CreateCaKey() => P256KeyEncoding.CreateECDsa(_caKey);

    /// <summary>Issues the per-app CA certificate (re-signed on every call; same key each time).</summary>
    public X509Certificate2 IssueAppCa(RaTlsCertificateBuilder builder, byte[] appId)
    {
        ArgumentNullException.ThrowIfNull(builder);
        using var appCaKey = CreateAppCaKey(appId);
        using var rootKey = CreateCaKey();
        return KmsCertificates.CreateAppCa(builder, appCaKey.ExportSubjectPublicKeyInfo(), appId, CaCertificate, rootKey);
    }

    /// <summary>The RPC certificate with its private key, for the TLS listener; the caller disposes it.</summary>
    public X509Certificate2 CreateRpcServerCertificate()
    {
        using var key = P256KeyEncoding.CreateECDsa(_rpcKey);
        return RpcCertificate.CopyWithPrivateKey(key);
    }

    /// <summary>Onboarding export (<c>GetKmsKey</c>): the root CA key PEM and the raw k256 root scalar. Only for an authorised peer KMS.</summary>
    public (string CaKeyPem, byte[] K256Key) ExportForOnboarding() => (P256KeyEncoding.ToPkcs8Pem(_caKey), (byte[])_k256Key.Clone());

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_caKey);
        CryptographicOperations.ZeroMemory(_k256Key);
        CryptographicOperations.ZeroMemory(_tempCaKey);
        CryptographicOperations.ZeroMemory(_rpcKey);
        CaCertificate.Dispose();
        TempCaCertificate.Dispose();
        RpcCertificate.Dispose();
    }
}
