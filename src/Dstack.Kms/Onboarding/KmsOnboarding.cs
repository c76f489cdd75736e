using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Crypto.Encodings;
using Dstack.Crypto;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.ReportData;
using Dstack.Crypto.Secp256k1;
using Dstack.Kms.Authentication;
using Dstack.Kms.Authorization;
using Dstack.Kms.Hosting;
using Dstack.Kms.Keys;
using Dstack.Rpc;
using Dstack.Rpc.Client;
using Dstack.Rpc.Kms;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Onboarding;

/// <summary>
/// Obtains the root keys of a running KMS over RA-TLS (kms.md §2.3) for a fresh instance:
/// <list type="number">
/// <item>connect to the source without trusting any CA, keep its server certificate, and ask for its temp CA
/// (<c>GetTempCaCert</c>);</item>
/// <item>check that the source is a genuine KMS: the attestation in its RPC certificate verifies under this instance's
/// trust root and binds the certificate key, and this instance's own policy allows it as a KMS
/// (<c>isKmsAllowed</c>);</item>
/// <item>mint an RA-TLS client certificate: a fresh P-256 key, a quote of this instance's own TD over
/// <c>sha512("ratls-cert:" + SPKI)</c>, the attestation with its event log, signed by the source's temp CA;</item>
/// <item>call <c>GetMeta</c> and <c>GetKmsKey</c> over mutual TLS, pinned to the server certificate checked above (the
/// source releases only when its policy allows this instance);</item>
/// <item>check that the RPC certificate is issued by the advertised root CA and that the received keys are the ones
/// behind the advertised root CA and k256 public key, then store them (<see cref="RootKeyStore.ImportAsync"/>).</item>
/// </list>
/// An unreachable or not-yet-ready source is retried with exponential backoff; a refusal or a failed check ends
/// onboarding with an <see cref="OnboardingException"/> that names the reason.
/// </summary>
internal sealed class KmsOnboarding
{
    /// <summary>The first delay between attempts.</summary>
    public static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between attempts.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly RootKeyStore _store;
    private readonly IKmsAttestationSource _attestationSource;
    private readonly CallerAuthenticator _authenticator;
    private readonly KmsAuthorization _authorization;
    private readonly ISecp256k1 _secp256k1;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the onboarding step.</summary>
    public KmsOnboarding(
        RootKeyStore store,
        IKmsAttestationSource attestationSource,
        CallerAuthenticator authenticator,
        KmsAuthorization authorization,
        ISecp256k1 secp256k1,
        TimeProvider timeProvider,
        ILogger logger)
    {
        _secp256k1 = secp256k1;
        _store = store;
        _attestationSource = attestationSource;
        _authenticator = authenticator;
        _authorization = authorization;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Obtains and stores the root keys from <paramref name="source"/>, retrying while it is unreachable.</summary>
    /// <param name="source">The source KMS, <c>https://host:port</c>.</param>
    /// <param name="domain">The domain of this instance's new RPC certificate.</param>
    /// <param name="vmConfig">This instance's <c>vm_config</c> JSON (sent to the source; its os_image_hash stands in for a source that reports none).</param>
    /// <param name="cancellationToken">Stops retrying.</param>
    /// <exception cref="OnboardingException">The source refused, or it is not a verifiable KMS.</exception>
    public async Task<KmsRootKeys> OnboardAsync(Uri source, string domain, string vmConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var delay = InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AttemptAsync(source, domain, vmConfig, cancellationToken).ConfigureAwait(false);
            }
            catch (OnboardingException ex) when (ex.IsTransient)
            {
                KmsLog.OnboardingRetry(_logger, source.ToString(), attempt, ex.Message, delay);
            }

            await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task<KmsRootKeys> AttemptAsync(Uri source, string domain, string vmConfig, CancellationToken cancellationToken)
    {
        var url = source.ToString();

        // 1. First contact: no CA is trusted; the server certificate is kept and checked by its attestation.
        X509Certificate2? serverCertificate = null;
        GetTempCaCertResponse tempCa;
        using (var first = new UnaryClient(new UnaryClientOptions
        {
            Address = source,
            TimeProvider = _timeProvider,
            ServerCertificateValidation = (certificate, _, _) =>
            {
                Interlocked.CompareExchange(ref serverCertificate, X509CertificateLoader.LoadCertificate(certificate.RawData), null);
                return true;
            },
        }))
        {
            tempCa = await CallAsync(url, "GetTempCaCert", () => new KmsClient(first).GetTempCaCertAsync(Deadline(), cancellationToken)).ConfigureAwait(false);
        }

        using var sourceCertificate = serverCertificate ?? throw new OnboardingException($"source KMS {url} did not present a TLS certificate");

        // 2. Is the source a KMS this instance's governance trusts?
        await CheckSourceAsync(url, sourceCertificate, vmConfig, cancellationToken).ConfigureAwait(false);

        // 3. This instance's attested client certificate, issued by the source's temp CA.
        using var clientCertificate = await CreateClientCertificateAsync(url, tempCa, cancellationToken).ConfigureAwait(false);

        // 4. Mutual TLS, pinned to the checked server certificate.
        var pinned = sourceCertificate.RawData;
        using var client = new UnaryClient(new UnaryClientOptions
        {
            Address = source,
            TimeProvider = _timeProvider,
            ClientCertificate = clientCertificate,
            ServerCertificateValidation = (certificate, _, _) => certificate.RawData.AsSpan().SequenceEqual(pinned),
        });
        var kms = new KmsClient(client);
        var meta = await CallAsync(url, "GetMeta", () => kms.GetMetaAsync(Deadline(), cancellationToken)).ConfigureAwait(false);
        KmsKeyResponse keys;
        try
        {
            keys = await CallAsync(url, "GetKmsKey", () => kms.GetKmsKeyAsync(new GetKmsKeyRequest { VmConfig = vmConfig }, Deadline(), cancellationToken)).ConfigureAwait(false);
        }
        catch (OnboardingException ex) when (!ex.IsTransient && ex.InnerException is RpcException { StatusCode: StatusCode.PermissionDenied })
        {
            // tell the operator what the source's policy has to allow
            throw new OnboardingException(ex.Message + "; " + await DescribeSelfAsync(clientCertificate, vmConfig, cancellationToken).ConfigureAwait(false), ex.InnerException);
        }

        // 5. The keys must be the ones the source advertises, and its RPC certificate must come from that root CA.
        var received = CheckKeys(url, sourceCertificate, meta, keys);
        var imported = await _store.ImportAsync(received.CaKey, received.K256Key.ToByteArray(), keys.TempCaKey, domain, cancellationToken).ConfigureAwait(false);
        KmsLog.Onboarded(_logger, url, imported);
        return imported;
    }

    private async Task CheckSourceAsync(string url, X509Certificate2 certificate, string vmConfig, CancellationToken cancellationToken)
    {
        var identity = await _authenticator.AuthenticateCertificateAsync(certificate, string.Empty, cancellationToken).ConfigureAwait(false);
        if (!identity.IsSuccess)
        {
            throw new OnboardingException($"source KMS {url} is not a verifiable KMS: the attestation in its RPC certificate was refused: {identity.Refusal.Reason}");
        }

        var source = identity.Value;
        var bootInfo = source.BootInfo;
        if (bootInfo.OsImageHash.Length == 0 && AppInfoCalculator.OsImageHashFromConfig(vmConfig) is { Length: > 0 } own)
        {
            // kms.md §2.3 step 6: a source whose attestation carries no vm_config is assumed to run this instance's OS
            // image (and its registers are checked against that image)
            bootInfo = bootInfo with { OsImageHash = own };
            source = source with { BootInfo = bootInfo, Config = vmConfig };
        }

        var decision = await _authorization.AuthorizeKmsAsync("Onboarding", source, cancellationToken).ConfigureAwait(false);
        if (!decision.IsAllowed)
        {
            throw new OnboardingException(
                $"this KMS's policy does not allow the source KMS {url} (mrAggregated {BootInfo.Hex(bootInfo.MrAggregated)}): {decision.Reason}",
                isTransient: decision.IsBackendFailure);
        }
    }

    private async Task<X509Certificate2> CreateClientCertificateAsync(string url, GetTempCaCertResponse tempCa, CancellationToken cancellationToken)
    {
        using var issuerKey = ECDsa.Create();
        X509Certificate2 issuer;
        try
        {
            issuerKey.ImportFromPem(tempCa.TempCaKey);
            issuer = X509Certificate2.CreateFromPem(tempCa.TempCaCert);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new OnboardingException($"source KMS {url} returned an unusable temp CA: {ex.Message}", ex);
        }

        using (issuer)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var spki = key.ExportSubjectPublicKeyInfo();
            var attestation = await _attestationSource.AttestAsync(QuoteReportData.ForRaTlsCertificate(spki), cancellationToken).ConfigureAwait(false);
            using var certificate = new RaTlsCertificateBuilder(_timeProvider).Issue(spki, new RaTlsCertificateOptions
            {
                Subject = "RA-TLS TEMP Cert",
                SpecialUsage = null,
                Attestation = AttestationCodec.EncodeV0(attestation),
            }, issuer.SubjectName, issuerKey);
            using var withKey = certificate.CopyWithPrivateKey(key);
            // a persisted (PKCS#12-loaded) copy, so the TLS stack does not depend on the ephemeral key object
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }
    }

    private KmsKeys CheckKeys(string url, X509Certificate2 sourceCertificate, GetMetaResponse meta, KmsKeyResponse keys)
    {
        if (keys.Keys.Count != 1)
        {
            throw new OnboardingException($"source KMS {url} returned {keys.Keys.Count} key sets, expected exactly one");
        }

        X509Certificate2 rootCa;
        try
        {
            rootCa = X509Certificate2.CreateFromPem(meta.CaCert);
        }
        catch (CryptographicException ex)
        {
            throw new OnboardingException($"source KMS {url} returned an unreadable root CA certificate: {ex.Message}", ex);
        }

        using (rootCa)
        {
            if (!TempCaClientCertificates.ChainsTo(sourceCertificate, rootCa))
            {
                throw new OnboardingException($"source KMS {url}: its RPC certificate is not issued by the root CA it advertises in GetMeta");
            }

            if (RaTlsCertificate.Parse(sourceCertificate).SpecialUsage != "kms:rpc")
            {
                throw new OnboardingException($"source KMS {url}: its TLS certificate is not a KMS RPC certificate (special usage kms:rpc)");
            }

            var set = keys.Keys[0];
            byte[] caSpki;
            try
            {
                caSpki = P256KeyEncoding.SubjectPublicKeyInfoOf(P256KeyEncoding.ReadPrivateKeyPem(set.CaKey));
            }
            catch (DstackCryptoException ex)
            {
                throw new OnboardingException($"source KMS {url} returned a root CA key that is not a P-256 private key", ex);
            }

            if (!caSpki.AsSpan().SequenceEqual(rootCa.PublicKey.ExportSubjectPublicKeyInfo()))
            {
                throw new OnboardingException($"source KMS {url} returned a root CA key that does not match its root CA certificate");
            }

            var k256Public = new byte[Secp256k1Lengths.CompressedPublicKey];
            if (set.K256Key.Length != Secp256k1Lengths.PrivateKey
                || !_secp256k1.IsValidPrivateKey(set.K256Key.Span))
            {
                throw new OnboardingException($"source KMS {url} returned a k256 root key that is not a secp256k1 scalar");
            }

            _secp256k1.GetPublicKey(set.K256Key.Span, k256Public);
            if (!k256Public.AsSpan().SequenceEqual(meta.K256Pubkey.Span))
            {
                throw new OnboardingException($"source KMS {url} returned a k256 root key that does not match the k256_pubkey of its GetMeta");
            }

            return set;
        }
    }

    private async Task<string> DescribeSelfAsync(X509Certificate2 clientCertificate, string vmConfig, CancellationToken cancellationToken)
    {
        var self = await _authenticator.AuthenticateCertificateAsync(clientCertificate, vmConfig, cancellationToken).ConfigureAwait(false);
        if (!self.IsSuccess)
        {
            return "this instance cannot verify its own attestation either: " + self.Refusal.Reason;
        }

        var me = self.Value.BootInfo;
        return $"this instance is app_id {BootInfo.Hex(me.AppId)}, mrAggregated {BootInfo.Hex(me.MrAggregated)}, device_id {BootInfo.Hex(me.DeviceId)}, "
            + $"os_image_hash {BootInfo.Hex(me.OsImageHash)}, tcb_status {me.TcbStatus}";
    }

    private static async Task<T> CallAsync<T>(string url, string method, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            throw new OnboardingException($"{method} on {url}: {ex.StatusCode}: {ex.Detail}", isTransient: true, ex);
        }
        catch (RpcException ex)
        {
            throw new OnboardingException($"source KMS {url} refused {method} ({ex.StatusCode}): {ex.Detail}", isTransient: false, ex);
        }
    }

    private DateTimeOffset Deadline() => _timeProvider.GetUtcNow() + CallTimeout;
}
