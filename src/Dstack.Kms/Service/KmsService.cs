using Dstack.Attestation.Csr;
using Dstack.Attestation.EventLog;
using Dstack.Crypto;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.ReportData;
using Dstack.Crypto.SignatureChains;
using Dstack.Kms.Authentication;
using Dstack.Kms.Authorization;
using Dstack.Kms.Hosting;
using Dstack.Kms.Images;
using Dstack.Kms.Keys;
using Dstack.Kms.Policies;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Service;

/// <summary>
/// The KMS RPCs, independent of the transport (kms.md §1.3, §3, §4.4): authenticate the caller's attestation, ask the
/// policy, derive and release. Each method returns either its response or a <see cref="KmsRefusal"/> whose reason is
/// meant for the caller and is also logged. The gRPC layer maps requests and refusals onto the wire. The key releases
/// (<c>GetAppKey</c>, <c>SignCert</c>, <c>GetKmsKey</c>) are refused while <see cref="SelfAuthorization"/> does not
/// allow this KMS; the public RPCs are not.
/// </summary>
internal sealed class KmsService
{
    private readonly KmsKeyHolder _keys;
    private readonly CallerAuthenticator _authenticator;
    private readonly IKmsPolicy _policy;
    private readonly OsImageCheck _osImage;
    private readonly KmsAuthorization _kmsAuthorization;
    private readonly SelfAuthorization _self;
    private readonly TimeProvider _timeProvider;
    private readonly RaTlsCertificateBuilder _certificateBuilder;
    private readonly ILogger _logger;

    /// <summary>Creates the service.</summary>
    public KmsService(
        KmsKeyHolder keys,
        CallerAuthenticator authenticator,
        KmsAuthorization kmsAuthorization,
        SelfAuthorization self,
        TimeProvider timeProvider,
        ILogger<KmsService> logger)
    {
        ArgumentNullException.ThrowIfNull(kmsAuthorization);
        _keys = keys;
        _authenticator = authenticator;
        _policy = kmsAuthorization.Policy;
        _osImage = kmsAuthorization.OsImage;
        _kmsAuthorization = kmsAuthorization;
        _self = self;
        _timeProvider = timeProvider;
        _certificateBuilder = new RaTlsCertificateBuilder(timeProvider);
        _logger = logger;
    }

    /// <summary><c>GetAppKey</c>: the app's keys for a verified, authorised caller.</summary>
    public async Task<KmsResult<AppKeyResponse>> GetAppKeyAsync(AppKeyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Method = "GetAppKey";
        if (_keys.Keys is not { } keys)
        {
            return Refuse<AppKeyResponse>(Method, NotReady());
        }

        if (_self.RefuseKeyRelease() is { } notSelfAuthorized)
        {
            return Refuse<AppKeyResponse>(Method, notSelfAuthorized);
        }

        if (request.ApiVersion > 1)
        {
            return Refuse<AppKeyResponse>(Method, new KmsRefusal(KmsRefusalKind.InvalidRequest, $"Unsupported API version: {request.ApiVersion}"));
        }

        var caller = await _authenticator.AuthenticateCertificateAsync(request.ClientCertificate, request.VmConfig, cancellationToken).ConfigureAwait(false);
        if (!caller.IsSuccess)
        {
            return Refuse<AppKeyResponse>(Method, caller.Refusal);
        }

        var bootInfo = caller.Value.BootInfo;
        var decision = await _policy.IsAppAllowedAsync(bootInfo, cancellationToken).ConfigureAwait(false);
        if (Deny(decision) is { } denied)
        {
            return Refuse<AppKeyResponse>(Method, denied);
        }

        if (await _osImage.CheckAsync(Method, caller.Value, cancellationToken).ConfigureAwait(false) is { } imageProblem)
        {
            return Refuse<AppKeyResponse>(Method, new KmsRefusal(KmsRefusalKind.Denied, "Boot denied: " + imageProblem));
        }

        var material = keys.DeriveAppKeys(bootInfo.AppId, bootInfo.InstanceId);
        KmsLog.KeysReleased(_logger, Method, bootInfo);
        return new AppKeyResponse(
            keys.CaCertPem,
            material.DiskCryptKey.ToArray(),
            material.EnvCryptKey.ToArray(),
            material.K256Key.ToArray(),
            material.K256Signature.ToArray(),
            decision.GatewayAppId,
            bootInfo.OsImageHash);
    }

    /// <summary><c>GetAppEnvEncryptPubKey</c>: the app's env-encryption public key with both root signatures (public, no attestation).</summary>
    public KmsResult<EnvEncryptPublicKeyResponse> GetAppEnvEncryptPublicKey(byte[] appId)
    {
        ArgumentNullException.ThrowIfNull(appId);
        const string Method = "GetAppEnvEncryptPubKey";
        if (_keys.Keys is not { } keys)
        {
            return Refuse<EnvEncryptPublicKeyResponse>(Method, NotReady());
        }

        if (appId.Length != 20)
        {
            return Refuse<EnvEncryptPublicKeyResponse>(Method, new KmsRefusal(KmsRefusalKind.InvalidRequest, "app_id must be 20 bytes"));
        }

        var publicKey = keys.DeriveEnvEncryptPublicKey(appId);
        var timestamp = checked((ulong)_timeProvider.GetUtcNow().ToUnixTimeSeconds());
        return new EnvEncryptPublicKeyResponse(
            publicKey,
            keys.SignWithK256(KmsSignatures.EnvEncryptPublicKeyPrefix, appId, null, publicKey),
            timestamp,
            keys.SignWithK256(KmsSignatures.EnvEncryptPublicKeyPrefix, appId, timestamp, publicKey));
    }

    /// <summary><c>GetMeta</c>: public facts about this KMS (no authentication).</summary>
    public async Task<KmsResult<KmsMetadata>> GetMetaAsync(CancellationToken cancellationToken)
    {
        const string Method = "GetMeta";
        if (_keys.Keys is not { } keys)
        {
            return Refuse<KmsMetadata>(Method, NotReady());
        }

        KmsPolicyInfo info;
        try
        {
            info = await _policy.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PolicyBackendException ex)
        {
            return Refuse<KmsMetadata>(Method, new KmsRefusal(KmsRefusalKind.BackendUnavailable, ex.Message));
        }

        return new KmsMetadata(
            keys.CaCertPem,
            info.IsDev,
            keys.K256PublicKey,
            keys.Bootstrap,
            info.IsDev,
            info.GatewayAppId,
            info.IsDev ? null : info.KmsContractAddress,
            info.IsDev ? null : info.ChainId,
            info.IsDev ? null : info.AppAuthImplementation);
    }

    /// <summary><c>GetTempCaCert</c>: the temp CA certificate and key (public by design) and the root CA.</summary>
    public KmsResult<TempCaCertResponse> GetTempCaCert()
    {
        if (_keys.Keys is not { } keys)
        {
            return Refuse<TempCaCertResponse>("GetTempCaCert", NotReady());
        }

        return new TempCaCertResponse(keys.TempCaCertPem, keys.TempCaKeyPem, keys.CaCertPem);
    }

    /// <summary><c>SignCert</c>: a certificate from the app's CA for a CSR whose attestation verifies (boot-time identity).</summary>
    public async Task<KmsResult<SignCertResponse>> SignCertAsync(SignCertRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Method = "SignCert";
        if (_keys.Keys is not { } keys)
        {
            return Refuse<SignCertResponse>(Method, NotReady());
        }

        if (_self.RefuseKeyRelease() is { } notSelfAuthorized)
        {
            return Refuse<SignCertResponse>(Method, notSelfAuthorized);
        }

        if (request.ApiVersion != 2)
        {
            var hint = request.ApiVersion == 1 ? " (CSR v1 is not supported; send a v2 CSR with api_version 2)" : string.Empty;
            return Refuse<SignCertResponse>(Method, Invalid($"Unsupported API version: {request.ApiVersion}{hint}"));
        }

        CertSigningRequestV2 csr;
        try
        {
            csr = CertSigningRequestV2.Decode(request.Csr);
        }
        catch (FormatException ex)
        {
            return Refuse<SignCertResponse>(Method, Invalid("invalid CSR: " + ex.Message));
        }

        if (!csr.VerifySignature(request.Csr, request.Signature))
        {
            return Refuse<SignCertResponse>(Method, Invalid("invalid CSR signature"));
        }

        if (csr.Confirm != CertSigningRequestV2.ConfirmText)
        {
            return Refuse<SignCertResponse>(Method, Invalid("invalid CSR: the confirm text is wrong"));
        }

        var caller = await _authenticator.AuthenticateAttestationAsync(
            csr.Attestation, QuoteReportData.ForRaTlsCertificate(csr.PublicKey), request.VmConfig, bootTime: true, cancellationToken).ConfigureAwait(false);
        if (!caller.IsSuccess)
        {
            return Refuse<SignCertResponse>(Method, caller.Refusal);
        }

        var bootInfo = caller.Value.BootInfo;
        var decision = await _policy.IsAppAllowedAsync(bootInfo, cancellationToken).ConfigureAwait(false);
        if (Deny(decision) is { } denied)
        {
            return Refuse<SignCertResponse>(Method, denied);
        }

        if (await _osImage.CheckAsync(Method, caller.Value, cancellationToken).ConfigureAwait(false) is { } imageProblem)
        {
            return Refuse<SignCertResponse>(Method, new KmsRefusal(KmsRefusalKind.Denied, "Boot denied: " + imageProblem));
        }

        try
        {
            using var appCa = keys.IssueAppCa(_certificateBuilder, bootInfo.AppId);
            using var appCaKey = keys.CreateAppCaKey(bootInfo.AppId);
            using var leaf = _certificateBuilder.Issue(csr.PublicKey, new RaTlsCertificateOptions
            {
                Subject = csr.Config.Subject,
                OrganizationName = csr.Config.OrgName,
                AltNames = csr.Config.SubjectAltNames,
                UsageServerAuth = csr.Config.UsageServerAuth,
                UsageClientAuth = csr.Config.UsageClientAuth,
                NotBefore = ToTime(csr.Config.NotBefore),
                NotAfter = ToTime(csr.Config.NotAfter),
                AppId = bootInfo.AppId,
                SpecialUsage = "app:custom",
                // typed as Nullable<ReadOnlyMemory>: a null byte[] would convert to an empty, present extension
                Attestation = csr.Config.ExtQuote ? (ReadOnlyMemory<byte>?)caller.Value.EncodedAttestation : null,
                AppInfo = csr.Config.ExtAppInfo ? (ReadOnlyMemory<byte>?)AppInfoExtension.Encode(caller.Value.Measurements, caller.Value.RuntimeEvents, caller.Value.Config) : null,
            }, appCa.SubjectName, appCaKey);
            KmsLog.CertificateIssued(_logger, bootInfo, csr.Config.Subject);
            return new SignCertResponse([KmsCertificates.ToPem(leaf), KmsCertificates.ToPem(appCa), keys.CaCertPem]);
        }
        catch (Exception ex) when (ex is DstackCryptoException or ArgumentOutOfRangeException)
        {
            return Refuse<SignCertResponse>(Method, Invalid("cannot issue the requested certificate: " + ex.Message));
        }
    }

    /// <summary><c>GetKmsKey</c>: the root keys for a peer KMS the policy allows (<c>isKmsAllowed</c>), for onboarding.</summary>
    public async Task<KmsResult<KmsKeyResponse>> GetKmsKeyAsync(KmsKeyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Method = "GetKmsKey";
        if (_keys.Keys is not { } keys)
        {
            return Refuse<KmsKeyResponse>(Method, NotReady());
        }

        if (_self.RefuseKeyRelease() is { } notSelfAuthorized)
        {
            return Refuse<KmsKeyResponse>(Method, notSelfAuthorized);
        }

        var caller = await _authenticator.AuthenticateCertificateAsync(request.ClientCertificate, request.VmConfig, cancellationToken).ConfigureAwait(false);
        if (!caller.IsSuccess)
        {
            return Refuse<KmsKeyResponse>(Method, caller.Refusal);
        }

        var bootInfo = caller.Value.BootInfo;
        var decision = await _kmsAuthorization.AuthorizeKmsAsync(Method, caller.Value, cancellationToken).ConfigureAwait(false);
        if (Deny(decision) is { } denied)
        {
            return Refuse<KmsKeyResponse>(Method, denied);
        }

        var (caKey, k256Key) = keys.ExportForOnboarding();
        KmsLog.RootKeysReleased(_logger, bootInfo);
        return new KmsKeyResponse(keys.TempCaKeyPem, [new KmsKeySet(caKey, k256Key)]);
    }

    private static KmsRefusal? Deny(PolicyDecision decision)
    {
        if (decision.IsAllowed)
        {
            return null;
        }

        return decision.IsBackendFailure
            ? new KmsRefusal(KmsRefusalKind.BackendUnavailable, "Boot denied: " + decision.Reason)
            : new KmsRefusal(KmsRefusalKind.Denied, "Boot denied: " + decision.Reason);
    }

    private static DateTimeOffset? ToTime(ulong? unixSeconds) =>
        unixSeconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s > long.MaxValue ? throw new ArgumentOutOfRangeException(nameof(unixSeconds)) : (long)s) : null;

    private static KmsRefusal NotReady() => new(KmsRefusalKind.NotReady, "the KMS root keys are not loaded yet");

    private static KmsRefusal Invalid(string reason) => new(KmsRefusalKind.InvalidRequest, reason);

    private KmsResult<T> Refuse<T>(string method, KmsRefusal refusal)
        where T : class
    {
        KmsLog.CallRefused(_logger, method, refusal);
        return KmsResult<T>.Refused(refusal);
    }
}
