using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;
using Dstack.Rpc;
using Dstack.Rpc.Kms;
using Dstack.Tests;
using Google.Protobuf;

namespace Dstack.Kms.Tests.Grpc;

/// <summary>The KMS over the real transport: Kestrel with TLS on loopback, our gRPC client, RA-TLS client certificates.</summary>
public sealed class KmsGrpcTests : IAsyncLifetime
{
    private GrpcKmsBed _bed = null!;
    private Uri _kms = null!;

    public async Task InitializeAsync()
    {
        _bed = await GrpcKmsBed.CreateAsync();
        await _bed.PrepareKmsTdAsync("a");
        var port = TcpPorts.GetFree();
        _kms = await _bed.StartKmsAsync(_bed.WriteConfig("a", KmsTestBed.AllowingPolicy(), port), port);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Allowed_app_gets_its_keys_and_the_k256_signature_recovers_to_the_meta_root_key()
    {
        var certificate = await _bed.CallerCertificateAsync(_kms);
        var client = _bed.Connect(_kms, certificate);

        var keys = await client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = KmsTestBed.VmConfig }, GrpcKmsBed.Deadline());
        var again = await client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = KmsTestBed.VmConfig }, GrpcKmsBed.Deadline());
        var meta = await _bed.Connect(_kms).GetMetaAsync(GrpcKmsBed.Deadline());

        Assert.Equal(32, keys.DiskCryptKey.Length);
        Assert.Equal(32, keys.EnvCryptKey.Length);
        Assert.Equal("gateway-1", keys.GatewayAppId);
        Assert.Equal("gateway-1", keys.TproxyAppId);
        Assert.Equal(KmsTestBed.OsImageHash, keys.OsImageHash.ToByteArray());
        Assert.Equal(meta.CaCert, keys.CaCert);
        Assert.Equal(keys.K256Key, again.K256Key);
        Assert.Equal(keys.DiskCryptKey, again.DiskCryptKey);
        var appPublic = new byte[33];
        LibSecp256k1.Instance.GetPublicKey(keys.K256Key.Span, appPublic);
        var signer = KmsSignatures.RecoverSigner(
            LibSecp256k1.Instance, keys.K256Signature.ToByteArray(), KmsSignatures.KmsIssuedPrefix, KmsTestBed.AppId, null, appPublic);
        Assert.Equal(meta.K256Pubkey.ToByteArray(), signer);
        Assert.False(meta.IsDev);
        Assert.NotNull(meta.BootstrapInfo);
        Assert.Equal(33, meta.BootstrapInfo.K256Pubkey.Length);
    }

    [Fact]
    public async Task Compose_hash_not_in_the_policy_is_permission_denied_with_the_reason()
    {
        await using var bed = await GrpcKmsBed.CreateAsync();
        await bed.PrepareKmsTdAsync("strict");
        var port = TcpPorts.GetFree();
        var kms = await bed.StartKmsAsync(bed.WriteConfig("strict", KmsTestBed.AllowingPolicy(composeHashes: [new string('e', 64)]), port), port);
        var client = bed.Connect(kms, await bed.CallerCertificateAsync(kms));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = KmsTestBed.VmConfig }, GrpcKmsBed.Deadline()));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("Boot denied: Compose hash not allowed", error.Detail);
    }

    [Fact]
    public async Task A_kms_its_policy_does_not_allow_refuses_key_releases_serves_public_calls_and_reports_it_on_health()
    {
        await using var bed = await GrpcKmsBed.CreateAsync();
        await bed.PrepareKmsTdAsync("unlisted");
        var port = TcpPorts.GetFree();
        var kms = await bed.StartKmsAsync(bed.WriteConfig("unlisted", KmsTestBed.AllowingPolicy(), port, allowSelf: false), port);
        var client = bed.Connect(kms, await bed.CallerCertificateAsync(kms));
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler);

        var appKey = await Assert.ThrowsAsync<RpcException>(() =>
            client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = KmsTestBed.VmConfig }, GrpcKmsBed.Deadline()));
        var kmsKey = await Assert.ThrowsAsync<RpcException>(() =>
            client.GetKmsKeyAsync(new GetKmsKeyRequest { VmConfig = KmsTestBed.VmConfig }, GrpcKmsBed.Deadline()));
        var meta = await bed.Connect(kms).GetMetaAsync(GrpcKmsBed.Deadline());
        using var health = await http.GetAsync(new Uri(kms, "/health"));

        Assert.Equal(StatusCode.PermissionDenied, appKey.StatusCode);
        Assert.Equal("KMS not allowed: Aggregated MR not allowed", appKey.Detail);
        Assert.Equal(StatusCode.PermissionDenied, kmsKey.StatusCode);
        Assert.Equal("KMS not allowed: Aggregated MR not allowed", kmsKey.Detail);
        Assert.Equal(33, meta.K256Pubkey.Length);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("KMS not allowed: Aggregated MR not allowed", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_a_client_certificate_GetAppKey_is_unauthenticated_with_the_reason()
    {
        var client = _bed.Connect(_kms);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = KmsTestBed.VmConfig }, GrpcKmsBed.Deadline()));
        var kmsKey = await Assert.ThrowsAsync<RpcException>(() =>
            client.GetKmsKeyAsync(new GetKmsKeyRequest { VmConfig = KmsTestBed.VmConfig }, GrpcKmsBed.Deadline()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("No attestation provided", error.Detail);
        Assert.Equal(StatusCode.Unauthenticated, kmsKey.StatusCode);
    }

    [Fact]
    public async Task A_certificate_not_issued_by_the_temp_ca_is_refused()
    {
        // attested and bound, but signed by a CA of its own rather than the KMS's temp CA
        var stranger = _bed.Own(await KmsTestBed.CreateCallerCertificateAsync(_bed.Caller, KmsTestBed.VmConfig));
        var client = _bed.Connect(_kms, stranger);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = KmsTestBed.VmConfig }, GrpcKmsBed.Deadline()));

        // the TLS handshake fails (UNAVAILABLE), or, on a stack that lets it through, the call is unauthenticated
        Assert.Contains(error.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Unauthenticated });
    }

    [Fact]
    public async Task A_tampered_quote_is_unauthenticated_with_the_reason()
    {
        var certificate = await _bed.CallerCertificateAsync(_kms, tamperQuote: q =>
        {
            q[48 + 136] ^= 0x01; // one bit of MRTD
            return q;
        });
        var client = _bed.Connect(_kms, certificate);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = KmsTestBed.VmConfig }, GrpcKmsBed.Deadline()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("quote verification failed", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Env_encrypt_public_key_signatures_recover_to_the_meta_root_key()
    {
        var client = _bed.Connect(_kms);

        var response = await client.GetAppEnvEncryptPubKeyAsync(new AppId { AppId_ = ByteString.CopyFrom(KmsTestBed.AppId) }, GrpcKmsBed.Deadline());
        var meta = await client.GetMetaAsync(GrpcKmsBed.Deadline());
        var bad = await Assert.ThrowsAsync<RpcException>(() =>
            client.GetAppEnvEncryptPubKeyAsync(new AppId { AppId_ = ByteString.CopyFrom(new byte[19]) }, GrpcKmsBed.Deadline()));

        var root = meta.K256Pubkey.ToByteArray();
        var publicKey = response.PublicKey.ToByteArray();
        Assert.Equal(32, publicKey.Length);
        Assert.Equal(root, KmsSignatures.RecoverSigner(
            LibSecp256k1.Instance, response.Signature.ToByteArray(), KmsSignatures.EnvEncryptPublicKeyPrefix, KmsTestBed.AppId, null, publicKey));
        Assert.Equal(root, KmsSignatures.RecoverSigner(
            LibSecp256k1.Instance, response.SignatureV1.ToByteArray(), KmsSignatures.EnvEncryptPublicKeyPrefix, KmsTestBed.AppId, response.Timestamp, publicKey));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Equal("app_id must be 20 bytes", bad.Detail);
    }

    [Fact]
    public async Task Temp_ca_cert_is_public_and_carries_the_root_ca()
    {
        var client = _bed.Connect(_kms);

        var tempCa = await client.GetTempCaCertAsync(GrpcKmsBed.Deadline());
        var meta = await client.GetMetaAsync(GrpcKmsBed.Deadline());

        Assert.Contains("BEGIN CERTIFICATE", tempCa.TempCaCert, StringComparison.Ordinal);
        Assert.Contains("BEGIN PRIVATE KEY", tempCa.TempCaKey, StringComparison.Ordinal);
        Assert.Equal(meta.CaCert, tempCa.CaCert);
    }
}
