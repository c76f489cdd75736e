using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Dstack.Attestation.Formats;
using Dstack.Attestation.Storage;
using Dstack.Crypto;
using Dstack.Crypto.Encodings;
using Dstack.Crypto.Kdf;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.ReportData;
using Dstack.Crypto.Secp256k1;

namespace Dstack.Kms.Keys;

/// <summary>
/// The root-key directory (kms.md §2.1–2.4): loads a complete store, bootstraps an empty one inside the KMS's own TD, or
/// imports keys received from a peer KMS. Files are written mode 0600 by write-temp-fsync-rename and are never
/// overwritten; a partial or corrupt store is refused with an error that names the file.
/// </summary>
internal sealed class RootKeyStore
{
    private const string LockFileName = ".keystore.lock";
    private readonly ISecp256k1 _secp256k1;
    private readonly RaTlsCertificateBuilder _certificateBuilder;
    private readonly IKmsAttestationSource _attestationSource;

    /// <summary>Creates a store over <paramref name="directory"/>.</summary>
    public RootKeyStore(string directory, ISecp256k1 secp256k1, TimeProvider timeProvider, IKmsAttestationSource attestationSource)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
        _secp256k1 = secp256k1;
        _certificateBuilder = new RaTlsCertificateBuilder(timeProvider);
        _attestationSource = attestationSource;
    }

    /// <summary>The key directory.</summary>
    public string Directory { get; }

    /// <summary>True when all seven required files exist.</summary>
    public bool KeysExist => RootKeyFiles.Required.All(f => File.Exists(PathOf(f)));

    /// <summary>Loads the keys if the store is complete, otherwise bootstraps an empty store; a partial store is an error.</summary>
    /// <returns>The keys and whether they were generated now.</returns>
    public async Task<(KmsRootKeys Keys, bool Generated)> LoadOrBootstrapAsync(string domain, CancellationToken cancellationToken)
    {
        if (KeysExist)
        {
            return (Load(), false);
        }

        return (await BootstrapAsync(domain, cancellationToken).ConfigureAwait(false), true);
    }

    /// <summary>Loads and cross-checks a complete store.</summary>
    /// <exception cref="KeyStoreException">A file is missing, unreadable or inconsistent; the message names it.</exception>
    public KmsRootKeys Load()
    {
        var missing = RootKeyFiles.Required.Where(f => !File.Exists(PathOf(f))).ToList();
        if (missing.Count == RootKeyFiles.Required.Count)
        {
            throw new KeyStoreException($"no root keys in {Directory}: {string.Join(", ", missing)} are missing (bootstrap or onboard first)");
        }

        if (missing.Count > 0)
        {
            throw new KeyStoreException($"the key store {Directory} is incomplete: {string.Join(", ", missing)} missing; refusing to start on a partial store (restore the files or empty the directory)");
        }

        var caKey = ReadP256Key(RootKeyFiles.RootCaKey);
        var k256Key = ReadK256Key();
        var tempCaKey = ReadP256Key(RootKeyFiles.TempCaKey);
        var rpcKey = ReadP256Key(RootKeyFiles.RpcKey);
        var caCert = ReadCertificate(RootKeyFiles.RootCaCert, caKey, "CA certificate does not match private key");
        var tempCaCert = ReadCertificate(RootKeyFiles.TempCaCert, tempCaKey, "temp CA certificate does not match its private key");
        var rpcCert = ReadCertificate(RootKeyFiles.RpcCert, rpcKey, "RPC certificate does not match its private key");
        var bootstrapPath = PathOf(RootKeyFiles.BootstrapInfo);
        var bootstrap = File.Exists(bootstrapPath) ? BootstrapInfo.TryParse(File.ReadAllBytes(bootstrapPath)) : null;
        return new KmsRootKeys(_secp256k1, caKey, k256Key, tempCaKey, rpcKey, caCert, tempCaCert, rpcCert, bootstrap);
    }

    /// <summary>
    /// Generates fresh root keys (kms.md §2.2) in an empty store: root CA, temp CA and RPC P-256 keys, a random k256 root
    /// key, the certificates (the RPC one attested), and the bootstrap record attested with the keccak binding.
    /// </summary>
    /// <exception cref="KeyStoreException">Any key file already exists.</exception>
    public async Task<KmsRootKeys> BootstrapAsync(string domain, CancellationToken cancellationToken)
    {
        using var storeLock = AcquireLock();
        RefuseExisting("KMS has already been bootstrapped");
        var caKey = DstackKdf.NewRandomP256PrivateKey();
        var k256Key = KmsKeyDerivation.NewRandomK256Key(_secp256k1);
        var tempCaKey = DstackKdf.NewRandomP256PrivateKey();
        var rpcKey = DstackKdf.NewRandomP256PrivateKey();
        var k256Public = new byte[Secp256k1Lengths.CompressedPublicKey];
        _secp256k1.GetPublicKey(k256Key, k256Public);
        var caSpki = P256KeyEncoding.SubjectPublicKeyInfoOf(caKey);
        var attestation = await _attestationSource.AttestAsync(QuoteReportData.ForKmsBootstrap(caSpki, k256Public), cancellationToken).ConfigureAwait(false);
        var bootstrap = new BootstrapInfo(caSpki, k256Public, AttestationCodec.EncodeV0(attestation));
        return await WriteStoreAsync(caKey, k256Key, tempCaKey, rpcKey, domain, bootstrap, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores root keys received from a peer KMS (kms.md §2.3 step 8): the same root CA, temp CA and k256 keys, a new RPC
    /// key, and certificates regenerated locally over the same keys. No bootstrap record is written.
    /// </summary>
    /// <exception cref="KeyStoreException">Any key file already exists, or the received keys are invalid.</exception>
    public async Task<KmsRootKeys> ImportAsync(string caKeyPem, byte[] k256Key, string tempCaKeyPem, string domain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(k256Key);
        using var storeLock = AcquireLock();
        RefuseExisting("KMS has already been onboarded");
        byte[] caKey, tempCaKey;
        try
        {
            caKey = P256KeyEncoding.ReadPrivateKeyPem(caKeyPem);
            tempCaKey = P256KeyEncoding.ReadPrivateKeyPem(tempCaKeyPem);
        }
        catch (DstackCryptoException ex)
        {
            throw new KeyStoreException("the received root CA or temp CA key is not a P-256 private key", ex);
        }

        if (k256Key.Length != Secp256k1Lengths.PrivateKey || !_secp256k1.IsValidPrivateKey(k256Key))
        {
            throw new KeyStoreException("the received k256 root key is not a valid secp256k1 scalar");
        }

        return await WriteStoreAsync(caKey, (byte[])k256Key.Clone(), tempCaKey, DstackKdf.NewRandomP256PrivateKey(), domain, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<KmsRootKeys> WriteStoreAsync(byte[] caKey, byte[] k256Key, byte[] tempCaKey, byte[] rpcKey, string domain, BootstrapInfo? bootstrap, CancellationToken cancellationToken)
    {
        string caCertPem, tempCaCertPem, rpcCertPem;
        using (var caEcdsa = P256KeyEncoding.CreateECDsa(caKey))
        using (var tempEcdsa = P256KeyEncoding.CreateECDsa(tempCaKey))
        {
            using var caCert = KmsCertificates.CreateRootCa(_certificateBuilder, caEcdsa);
            using var tempCert = KmsCertificates.CreateTempCa(_certificateBuilder, tempEcdsa);
            var rpcSpki = P256KeyEncoding.SubjectPublicKeyInfoOf(rpcKey);
            var rpcAttestation = await _attestationSource.AttestAsync(QuoteReportData.ForRaTlsCertificate(rpcSpki), cancellationToken).ConfigureAwait(false);
            using var rpcCert = KmsCertificates.CreateRpc(_certificateBuilder, rpcSpki, domain, AttestationCodec.EncodeV0(rpcAttestation), caCert, caEcdsa);
            caCertPem = KmsCertificates.ToPem(caCert);
            tempCaCertPem = KmsCertificates.ToPem(tempCert);
            rpcCertPem = KmsCertificates.ToPem(rpcCert);
        }

        System.IO.Directory.CreateDirectory(Directory);
        WriteSecret(RootKeyFiles.RootCaKey, caKey);
        WriteFile(RootKeyFiles.RootK256Key, k256Key);
        WriteSecret(RootKeyFiles.TempCaKey, tempCaKey);
        WriteSecret(RootKeyFiles.RpcKey, rpcKey);
        WriteFile(RootKeyFiles.RootCaCert, Encoding.ASCII.GetBytes(caCertPem));
        WriteFile(RootKeyFiles.TempCaCert, Encoding.ASCII.GetBytes(tempCaCertPem));
        WriteFile(RootKeyFiles.RpcCert, Encoding.ASCII.GetBytes(rpcCertPem));
        WriteFile(RootKeyFiles.RpcDomain, Encoding.UTF8.GetBytes(domain));
        if (bootstrap is not null)
        {
            WriteFile(RootKeyFiles.BootstrapInfo, bootstrap.ToJson());
        }

        return new KmsRootKeys(_secp256k1, caKey, k256Key, tempCaKey, rpcKey, caCertPem, tempCaCertPem, rpcCertPem, bootstrap);
    }

    private void RefuseExisting(string message)
    {
        var present = RootKeyFiles.Required.Append(RootKeyFiles.BootstrapInfo).Where(f => File.Exists(PathOf(f))).ToList();
        if (present.Count > 0)
        {
            throw new KeyStoreException($"{message}: {string.Join(", ", present)} already exist in {Directory}; existing keys are never overwritten");
        }
    }

    private FileStream AcquireLock()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = SecureFile.OwnerOnly;
        }

        try
        {
            return new FileStream(Path.Combine(Directory, LockFileName), options);
        }
        catch (IOException ex)
        {
            throw new KeyStoreException($"another process is writing the key store {Directory}", ex);
        }
    }

    private void WriteSecret(string name, byte[] scalar)
    {
        var pem = Encoding.ASCII.GetBytes(P256KeyEncoding.ToPkcs8Pem(scalar));
        try
        {
            WriteFile(name, pem);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pem);
        }
    }

    private void WriteFile(string name, ReadOnlySpan<byte> content)
    {
        try
        {
            SecureFile.CreateNew(PathOf(name), content);
        }
        catch (IOException ex)
        {
            throw new KeyStoreException($"cannot write {PathOf(name)}: {ex.Message}", ex);
        }
    }

    private byte[] ReadP256Key(string name)
    {
        var path = PathOf(name);
        try
        {
            return P256KeyEncoding.ReadPrivateKeyPem(File.ReadAllText(path));
        }
        catch (DstackCryptoException ex)
        {
            throw new KeyStoreException($"{path} is corrupt: not a P-256 private key PEM", ex);
        }
    }

    private byte[] ReadK256Key()
    {
        var path = PathOf(RootKeyFiles.RootK256Key);
        var key = File.ReadAllBytes(path);
        if (key.Length != Secp256k1Lengths.PrivateKey || !_secp256k1.IsValidPrivateKey(key))
        {
            CryptographicOperations.ZeroMemory(key);
            throw new KeyStoreException($"{path} is corrupt: expected a raw 32-byte secp256k1 scalar");
        }

        return key;
    }

    private string ReadCertificate(string name, byte[] privateKey, string mismatch)
    {
        var path = PathOf(name);
        var pem = File.ReadAllText(path);
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            if (!certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(P256KeyEncoding.SubjectPublicKeyInfoOf(privateKey)))
            {
                throw new KeyStoreException($"{path}: {mismatch}");
            }
        }
        catch (CryptographicException ex)
        {
            throw new KeyStoreException($"{path} is corrupt: not a PEM certificate", ex);
        }

        return pem;
    }

    private string PathOf(string name) => Path.Combine(Directory, name);
}
