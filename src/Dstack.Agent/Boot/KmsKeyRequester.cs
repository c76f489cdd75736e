using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Agent.Platform;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.ReportData;
using Dstack.Rpc.Kms;

namespace Dstack.Agent.Boot;

/// <summary>
/// One attempt to obtain the app keys from one KMS URL over gRPC + RA-TLS (tdx-boot §4.6, kms.md §1.4):
/// <list type="number">
/// <item><c>GetTempCaCert</c> without verifying the server: the temp CA (certificate and key, public by design) and the
/// KMS root CA certificate;</item>
/// <item>the root CA key is the KMS identity: it must equal the one a previous attempt measured in <c>key-provider</c>
/// and the compose's <c>key_provider_id</c> pin, when there are such;</item>
/// <item>a fresh P-256 key, a quote over <c>SHA-512("ratls-cert:" ‖ SPKI)</c> with the event log, and a client
/// certificate (CN <c>RA-TLS TEMP Cert</c>, the V0 attestation, no EKU) signed by the temp CA;</item>
/// <item><c>GetAppKey {api_version 1, vm_config}</c> over mutual TLS, trusting only the root CA from step 1 (host name
/// checked, special usage <c>kms:rpc</c> required).</item>
/// </list>
/// </summary>
internal sealed class KmsKeyRequester(QuoteService quotes, BootOptions options, TimeProvider timeProvider)
{
    /// <summary>Subject CN of the client certificate.</summary>
    public const string ClientCertificateSubject = "RA-TLS TEMP Cert";

    /// <summary>Runs the attempt.</summary>
    /// <param name="url">The KMS URL.</param>
    /// <param name="inputs">The boot inputs (<c>vm_config</c>, the pin).</param>
    /// <param name="measuredRootCa">The root CA SPKI an earlier attempt measured, or null on first boot.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <exception cref="KmsAttemptException">The attempt failed; <see cref="KmsAttemptException.Kind"/> says what next.</exception>
    public async Task<KmsAppKeys> RequestAsync(string url, BootInputs inputs, byte[]? measuredRootCa, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var address = KmsRpc.ParseUrl(url);
        var rpc = KmsRpc.From(options, timeProvider);
        var temp = await rpc.CallUncheckedAsync(url, address, "GetTempCaCert", (c, deadline) => c.GetTempCaCertAsync(deadline, cancellationToken)).ConfigureAwait(false);
        using var rootCa = ReadCertificate(url, temp.CaCert, "ca_cert");
        var rootSpki = rootCa.PublicKey.ExportSubjectPublicKeyInfo();
        CheckIdentity(url, rootSpki, measuredRootCa, inputs.KeyProviderId);

        using var clientCertificate = await CreateClientCertificateAsync(url, temp, inputs.VmConfig, cancellationToken).ConfigureAwait(false);
        var request = new GetAppKeyRequest { ApiVersion = 1, VmConfig = inputs.VmConfig };
        var response = await rpc.CallAsync(url, address, "GetAppKey", rootCa, clientCertificate, (c, deadline) => c.GetAppKeyAsync(request, deadline, cancellationToken)).ConfigureAwait(false);

        if (response.DiskCryptKey.IsEmpty)
        {
            throw new KmsAttemptException(url, "GetAppKey", KmsFailureKind.Refused, "the KMS returned no disk key (no valid key phrase)");
        }

        if (response.K256Key.Length != 32)
        {
            throw new KmsAttemptException(url, "GetAppKey", KmsFailureKind.Refused, $"the KMS returned a k256 key of {response.K256Key.Length} bytes, expected 32");
        }

        return new KmsAppKeys
        {
            Url = url,
            Response = response,
            RootCaSubjectPublicKeyInfo = rootSpki,
            TempCaCertificatePem = temp.TempCaCert,
            TempCaKeyPem = temp.TempCaKey,
        };
    }

    private static void CheckIdentity(string url, byte[] rootSpki, byte[]? measuredRootCa, byte[] pinned)
    {
        if (measuredRootCa is not null && !measuredRootCa.AsSpan().SequenceEqual(rootSpki))
        {
            throw new KmsAttemptException(url, "check KMS identity", KmsFailureKind.WrongKms,
                $"its root CA key {Short(rootSpki)} is not the KMS this VM measured in its key-provider event ({Short(measuredRootCa)})");
        }

        if (pinned.Length > 0 && !pinned.AsSpan().SequenceEqual(rootSpki))
        {
            throw new KmsAttemptException(url, "check KMS identity", KmsFailureKind.WrongKms,
                $"its root CA key {Short(rootSpki)} is not the key_provider_id app-compose pins ({Short(pinned)})");
        }
    }

    private static string Short(byte[] spki) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(spki))[..16];

    private async Task<X509Certificate2> CreateClientCertificateAsync(string url, GetTempCaCertResponse temp, string vmConfig, CancellationToken cancellationToken)
    {
        using var tempCa = ReadCertificate(url, temp.TempCaCert, "temp_ca_cert");
        using var tempKey = ECDsa.Create();
        try
        {
            tempKey.ImportFromPem(temp.TempCaKey);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new KmsAttemptException(url, "GetTempCaCert", KmsFailureKind.WrongKms, "temp_ca_key is not a PEM EC private key", ex);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();
        TdAttestation attestation;
        try
        {
            attestation = await quotes.AttestAsync(QuoteReportData.ForRaTlsCertificate(spki), cancellationToken).ConfigureAwait(false);
        }
        catch (Api.RpcException ex)
        {
            throw new BootException("attest", ex.Message, ex);
        }

        var options = new RaTlsCertificateOptions
        {
            Subject = ClientCertificateSubject,
            SpecialUsage = null,
            Attestation = AttestationEncoding.ForCertificate(attestation, vmConfig),
        };
        using var issued = new RaTlsCertificateBuilder(timeProvider).Issue(spki, options, tempCa.SubjectName, tempKey);
        using var withKey = issued.CopyWithPrivateKey(key);

        // a PKCS#12 round trip gives a certificate whose key the TLS stack can use on every platform
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2 ReadCertificate(string url, string pem, string field)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new KmsAttemptException(url, "GetTempCaCert", KmsFailureKind.WrongKms, $"{field} is not a PEM certificate", ex);
        }
    }
}
