using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Attestation.Simulation;
using Dstack.Crypto.Edwards;
using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;
using Dstack.Kms.Authentication;
using Dstack.Kms.Service;

namespace Dstack.Kms.Tests;

public sealed class KmsServiceTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Allowed_app_gets_keys_whose_signature_recovers_to_the_meta_k256_root()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig);

        var result = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);
        var meta = await bed.Service.GetMetaAsync(None);

        Assert.True(result.IsSuccess, result.Refusal?.Reason);
        Assert.True(meta.IsSuccess);
        var keys = result.Value;
        Assert.Equal(32, keys.DiskCryptKey.Length);
        Assert.Equal(32, keys.EnvCryptKey.Length);
        Assert.Equal("gateway-1", keys.GatewayAppId);
        Assert.Equal(KmsTestBed.OsImageHash, keys.OsImageHash);
        Assert.Equal(meta.Value.CaCert, keys.CaCert);
        var appPublic = new byte[33];
        LibSecp256k1.Instance.GetPublicKey(keys.K256Key, appPublic);
        var signer = KmsSignatures.RecoverSigner(LibSecp256k1.Instance, keys.K256Signature, KmsSignatures.KmsIssuedPrefix, KmsTestBed.AppId, null, appPublic);
        Assert.Equal(meta.Value.K256PublicKey, signer);
        Assert.False(meta.Value.IsDev);
        Assert.NotNull(meta.Value.Bootstrap);
    }

    [Fact]
    public async Task Same_app_gets_the_same_keys_on_every_call()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var first = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig);
        using var second = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig);

        var a = await bed.Service.GetAppKeyAsync(new AppKeyRequest(first, 1, KmsTestBed.VmConfig), None);
        var b = await bed.Service.GetAppKeyAsync(new AppKeyRequest(second, 0, KmsTestBed.VmConfig), None);

        Assert.Equal(a.Value!.DiskCryptKey, b.Value!.DiskCryptKey);
        Assert.Equal(a.Value.EnvCryptKey, b.Value.EnvCryptKey);
        Assert.Equal(a.Value.K256Key, b.Value.K256Key);
    }

    [Fact]
    public async Task Compose_hash_not_in_policy_is_refused_with_that_reason()
    {
        using var bed = await KmsTestBed.CreateAsync(policy: KmsTestBed.AllowingPolicy(composeHashes: [new string('e', 64)]));
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig);

        var result = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);

        Assert.False(result.IsSuccess);
        Assert.Null(result.Value);
        Assert.Equal(KmsRefusalKind.Denied, result.Refusal.Kind);
        Assert.Equal("Boot denied: Compose hash not allowed", result.Refusal.Reason);
    }

    [Fact]
    public async Task Empty_allow_lists_allow_nothing()
    {
        var policy = KmsTestBed.AllowingPolicy(composeHashes: []);
        using var bed = await KmsTestBed.CreateAsync(policy: policy);
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig);

        var noCompose = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);
        policy["osImages"] = Array.Empty<string>();
        bed.WritePolicy(policy);
        var noImages = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);
        bed.WritePolicy(new Dictionary<string, object>());
        var nothing = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);

        Assert.Equal("Boot denied: Compose hash not allowed", noCompose.Refusal?.Reason);
        Assert.Equal("Boot denied: OS image is not allowed", noImages.Refusal?.Reason);
        Assert.Equal("Boot denied: OS image is not allowed", nothing.Refusal?.Reason);
    }

    [Fact]
    public async Task Device_not_listed_is_refused()
    {
        var policy = KmsTestBed.AllowingPolicy();
        ((Dictionary<string, object>)((Dictionary<string, object>)policy["apps"])[Convert.ToHexStringLower(KmsTestBed.AppId)])["devices"] = new[] { new string('1', 64) };
        using var bed = await KmsTestBed.CreateAsync(policy: policy);
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig);

        var result = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);

        Assert.Equal("Boot denied: Device not allowed", result.Refusal?.Reason);
    }

    [Fact]
    public async Task Missing_certificate_is_refused()
    {
        using var bed = await KmsTestBed.CreateAsync();

        var result = await bed.Service.GetAppKeyAsync(new AppKeyRequest(null, 1, KmsTestBed.VmConfig), None);

        Assert.Equal(KmsRefusalKind.Unauthenticated, result.Refusal?.Kind);
        Assert.Equal("No attestation provided", result.Refusal?.Reason);
    }

    [Fact]
    public async Task Certificate_without_attestation_is_refused()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var plain = new CertificateRequest("CN=plain", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var result = await bed.Service.GetAppKeyAsync(new AppKeyRequest(plain, 1, KmsTestBed.VmConfig), None);

        Assert.Equal("No attestation provided", result.Refusal?.Reason);
    }

    [Fact]
    public async Task Tampered_quote_is_refused()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig, tamperQuote: q =>
        {
            q[48 + 136] ^= 0x01; // one bit of MRTD
            return q;
        });

        var result = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);

        Assert.Equal(KmsRefusalKind.Unauthenticated, result.Refusal?.Kind);
        Assert.Contains("quote verification failed", result.Refusal?.Reason, StringComparison.Ordinal);
        Assert.Contains("ISV enclave report signature is invalid", result.Refusal?.Reason, StringComparison.Ordinal); // dcap-qvl step 8 (the KMS verifies with collateral)
    }

    [Fact]
    public async Task Certificate_not_bound_to_the_quote_is_refused()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig, bindOtherKey: true);

        var result = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);

        Assert.Equal(KmsRefusalKind.Unauthenticated, result.Refusal?.Kind);
        Assert.StartsWith("report data mismatch", result.Refusal?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_td_is_refused_unless_allowed()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig, debug: true);
        var permissive = bed.CreateService(bed.Holder, bed.Policy, new CallerAuthenticator(bed.Anchor, allowDebugTds: true, TimeProvider.System));

        var refused = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);
        var allowed = await permissive.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);

        Assert.Equal(KmsRefusalKind.Unauthenticated, refused.Refusal?.Kind);
        Assert.StartsWith("Debug mode is not allowed", refused.Refusal?.Reason, StringComparison.Ordinal);
        Assert.True(allowed.IsSuccess, allowed.Refusal?.Reason);
    }

    [Fact]
    public async Task Quote_under_another_trust_root_is_refused()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var other = SimulatedTd.Open(Path.Combine(bed.Directory.Path, "other"));
        using var otherAnchor = KmsTrustAnchor.Simulated(other.Pki, TimeProvider.System);
        var service = bed.CreateService(bed.Holder, bed.Policy, new CallerAuthenticator(otherAnchor, false, TimeProvider.System));
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig);

        var result = await service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);

        Assert.Equal(KmsRefusalKind.Unauthenticated, result.Refusal?.Kind);
        Assert.Contains("quote verification failed", result.Refusal?.Reason, StringComparison.Ordinal);
        Assert.Contains("Failed to verify certificate chain: chain does not end at the trust root", result.Refusal?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_emitted_after_the_quote_breaks_the_rtmr3_replay()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var reportData = Dstack.Crypto.ReportData.QuoteReportData.ForRaTlsCertificate(key.ExportSubjectPublicKeyInfo());
        var quote = await bed.Caller.Device.GetQuoteAsync(reportData, None);
        await bed.Caller.Events.EmitAsync("late-event", new byte[] { 1 }, None);
        var attestation = await KmsTestBed.CreateAttestationAsync(bed.Caller, quote, reportData, KmsTestBed.VmConfig);
        using var issuer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new Dstack.Crypto.RaTls.RaTlsCertificateBuilder(TimeProvider.System).Issue(
            key.ExportSubjectPublicKeyInfo(),
            new Dstack.Crypto.RaTls.RaTlsCertificateOptions { Subject = "RA-TLS TEMP Cert", Attestation = Dstack.Attestation.Formats.AttestationCodec.EncodeV0(attestation) },
            new X500DistinguishedName("CN=issuer"),
            issuer);

        var result = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);

        Assert.StartsWith("RTMR3 mismatch", result.Refusal?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Boot_log_that_does_not_replay_to_the_quoted_rtmr1_is_refused()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var reportData = Dstack.Crypto.ReportData.QuoteReportData.ForRaTlsCertificate(key.ExportSubjectPublicKeyInfo());
        var quote = await bed.Caller.Device.GetQuoteAsync(reportData, None);
        var attestation = await KmsTestBed.CreateAttestationAsync(bed.Caller, quote, reportData, KmsTestBed.VmConfig);
        var index = attestation.EventLog.ToList().FindIndex(e => e.Imr == 1);
        var forged = attestation.EventLog.ToList();
        forged[index] = forged[index] with { Digest = new byte[48] };
        attestation = attestation with { EventLog = forged };
        using var issuer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new Dstack.Crypto.RaTls.RaTlsCertificateBuilder(TimeProvider.System).Issue(
            key.ExportSubjectPublicKeyInfo(),
            new Dstack.Crypto.RaTls.RaTlsCertificateOptions { Subject = "RA-TLS TEMP Cert", Attestation = Dstack.Attestation.Formats.AttestationCodec.EncodeV0(attestation) },
            new X500DistinguishedName("CN=issuer"),
            issuer);

        var result = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);

        Assert.True(index >= 0);
        Assert.StartsWith("RTMR1 mismatch", result.Refusal?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsupported_api_version_is_refused()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig);

        var result = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 2, KmsTestBed.VmConfig), None);

        Assert.Equal("Unsupported API version: 2", result.Refusal?.Reason);
    }

    [Fact]
    public async Task Env_encrypt_public_key_matches_the_released_secret_and_both_signatures_recover_to_the_root()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig);
        var keys = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);

        var result = bed.Service.GetAppEnvEncryptPublicKey(KmsTestBed.AppId);
        var bad = bed.Service.GetAppEnvEncryptPublicKey(new byte[19]);

        Assert.True(result.IsSuccess);
        var response = result.Value;
        Assert.Equal(X25519.GetPublicKey(keys.Value!.EnvCryptKey), response.PublicKey);
        var root = bed.Holder.Keys!.K256PublicKey;
        Assert.Equal(root, KmsSignatures.RecoverSigner(LibSecp256k1.Instance, response.Signature, KmsSignatures.EnvEncryptPublicKeyPrefix, KmsTestBed.AppId, null, response.PublicKey));
        Assert.Equal(root, KmsSignatures.RecoverSigner(LibSecp256k1.Instance, response.SignatureV1, KmsSignatures.EnvEncryptPublicKeyPrefix, KmsTestBed.AppId, response.Timestamp, response.PublicKey));
        Assert.Equal("app_id must be 20 bytes", bad.Refusal?.Reason);
    }

    [Fact]
    public async Task Temp_ca_cert_returns_the_temp_ca_and_its_key()
    {
        using var bed = await KmsTestBed.CreateAsync();

        var result = bed.Service.GetTempCaCert();

        Assert.True(result.IsSuccess);
        using var tempCa = X509Certificate2.CreateFromPem(result.Value.TempCaCert, result.Value.TempCaKey);
        Assert.True(tempCa.HasPrivateKey);
        Assert.Equal("CN=Dstack Client Temp CA, O=Dstack", tempCa.Subject);
        Assert.Equal(bed.Holder.Keys!.CaCertPem, result.Value.CaCert);
    }

    [Fact]
    public async Task Two_kms_instances_with_the_same_root_keys_release_identical_app_keys_after_onboarding()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var peerTd = SimulatedTd.Open(Path.Combine(bed.Directory.Path, "peer-kms"));
        var kmsAppId = Enumerable.Repeat((byte)0x77, 20).ToArray();
        await KmsTestBed.BootAsync(peerTd, kmsAppId, SHA256.HashData("kms compose"u8), []);
        // the peer runs on a simulated TD under a different mock root: trust both by checking it with its own anchor
        using var peerAnchor = KmsTrustAnchor.Simulated(peerTd.Pki, TimeProvider.System);
        var source = bed.CreateService(bed.Holder, bed.Policy, new CallerAuthenticator(peerAnchor, false, TimeProvider.System));
        using var peerCert = await KmsTestBed.CreateCallerCertificateAsync(peerTd, KmsTestBed.VmConfig);

        var denied = await source.GetKmsKeyAsync(new KmsKeyRequest(peerCert, KmsTestBed.VmConfig), None);
        var peerIdentity = await new CallerAuthenticator(peerAnchor, false, TimeProvider.System).AuthenticateCertificateAsync(peerCert, KmsTestBed.VmConfig, None);
        bed.WritePolicy(KmsTestBed.AllowingPolicy(kmsMrAggregated: [Convert.ToHexStringLower(peerIdentity.Value!.BootInfo.MrAggregated)]));
        var granted = await source.GetKmsKeyAsync(new KmsKeyRequest(peerCert, KmsTestBed.VmConfig), None);

        Assert.Equal("Boot denied: Aggregated MR not allowed", denied.Refusal?.Reason);
        Assert.True(granted.IsSuccess, granted.Refusal?.Reason);
        var set = Assert.Single(granted.Value.Keys);
        using var peerStore = new KmsKeyHolder();
        peerStore.Set(await bed.CreateStore(Path.Combine(bed.Directory.Path, "peer-keys")).ImportAsync(set.CaKey, set.K256Key, granted.Value.TempCaKey, "kms2.test", None));
        var peer = bed.CreateService(peerStore, bed.Policy);
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig);
        var fromSource = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);
        var fromPeer = await peer.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);

        Assert.True(fromPeer.IsSuccess, fromPeer.Refusal?.Reason);
        Assert.Equal(fromSource.Value!.DiskCryptKey, fromPeer.Value.DiskCryptKey);
        Assert.Equal(fromSource.Value.EnvCryptKey, fromPeer.Value.EnvCryptKey);
        Assert.Equal(fromSource.Value.K256Key, fromPeer.Value.K256Key);
        Assert.Equal(bed.Holder.Keys!.K256PublicKey, peerStore.Keys!.K256PublicKey);
        Assert.Equal(bed.Holder.Keys.CaSubjectPublicKeyInfo, peerStore.Keys.CaSubjectPublicKeyInfo);
        Assert.Null(peerStore.Keys.Bootstrap);
    }
}
