using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Attestation.Simulation;
using Dstack.Crypto.Kdf;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.Secp256k1;
using Dstack.Rpc;
using Dstack.Rpc.Kms;
using Dstack.Rpc.Server;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Dstack.Agent.Tests.Boot;

/// <summary>
/// A test double of the KMS (until the real dstack-kms replaces it in end-to-end tests): real Kestrel with gRPC over TLS
/// on a loopback port, a root CA / temp CA / <c>kms:rpc</c> server certificate made with <see cref="RaTlsCertificateBuilder"/>,
/// client certificates required to chain to the temp CA, the caller's attestation checked (binding to the certificate
/// key, quote under the trusted root, RTMR3 replay) and app keys derived with <see cref="KmsKeyDerivation"/> from random
/// root keys. <see cref="DenyReason"/> makes it refuse with PERMISSION_DENIED.
/// </summary>
internal sealed class TestKms : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ECDsa _rootKey;
    private readonly ECDsa _tempKey;
    private readonly MockDcapPki _pki;

    private TestKms(WebApplication app, ECDsa rootKey, X509Certificate2 rootCa, ECDsa tempKey, X509Certificate2 tempCa, byte[] k256Root, MockDcapPki pki)
    {
        _app = app;
        _rootKey = rootKey;
        RootCa = rootCa;
        _tempKey = tempKey;
        TempCa = tempCa;
        K256RootKey = k256Root;
        _pki = pki;
    }

    public X509Certificate2 RootCa { get; }

    public X509Certificate2 TempCa { get; }

    public byte[] K256RootKey { get; }

    public byte[] RootCaScalar => _rootKey.ExportParameters(true).D!;

    public byte[] RootCaSubjectPublicKeyInfo => RootCa.PublicKey.ExportSubjectPublicKeyInfo();

    public int Port { get; private set; }

    public string Url => "https://localhost:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>When set, GetAppKey answers PERMISSION_DENIED with this reason.</summary>
    public string? DenyReason { get; set; }

    /// <summary>Every GetAppKey call that reached the handler.</summary>
    public ConcurrentQueue<KmsCallRecord> Calls { get; } = new();

    /// <summary>Starts on <paramref name="port"/> (0: any free port), trusting quotes under the mock root of <paramref name="pki"/> (disposed with the KMS).</summary>
    public static async Task<TestKms> StartAsync(MockDcapPki pki, int port = 0)
    {
        var builder = new RaTlsCertificateBuilder(TimeProvider.System);
        var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootCa = builder.IssueSelfSigned(rootKey, new RaTlsCertificateOptions
        {
            Subject = "Dstack KMS CA", OrganizationName = "Dstack", IsCertificateAuthority = true, PathLength = 1, SpecialUsage = null,
        });
        var tempKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var tempCa = builder.IssueSelfSigned(tempKey, new RaTlsCertificateOptions
        {
            Subject = "Dstack Client Temp CA", OrganizationName = "Dstack", IsCertificateAuthority = true, PathLength = 0, SpecialUsage = null,
        });
        using var rpcKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rpc = builder.Issue(rpcKey.ExportSubjectPublicKeyInfo(), new RaTlsCertificateOptions
        {
            Subject = "localhost", AltNames = ["localhost"], SpecialUsage = "kms:rpc",
        }, rootCa.SubjectName, rootKey);
        using var rpcWithKey = rpc.CopyWithPrivateKey(rpcKey);
        var serverCertificate = X509CertificateLoader.LoadPkcs12(rpcWithKey.Export(X509ContentType.Pkcs12), null);

        var app = CreateApp(port, serverCertificate, tempCa);
        var kms = new TestKms(app, rootKey, rootCa, tempKey, tempCa, KmsKeyDerivation.NewRandomK256Key(LibSecp256k1.Instance), pki);
        var grpc = app.MapGrpcUnary();
        grpc.MapUnary(KmsMethods.GetTempCaCert, (_, _) => Task.FromResult(new GetTempCaCertResponse
        {
            TempCaCert = tempCa.ExportCertificatePem() + "\n",
            TempCaKey = tempKey.ExportPkcs8PrivateKeyPem() + "\n",
            CaCert = rootCa.ExportCertificatePem() + "\n",
        }));
        grpc.MapUnary(KmsMethods.GetMeta, (_, _) => Task.FromResult(new GetMetaResponse { CaCert = rootCa.ExportCertificatePem() + "\n" }));
        grpc.MapUnary(KmsMethods.GetAppKey, (request, context) => Task.FromResult(kms.GetAppKey(request, context)));
        await app.StartAsync();
        kms.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        return kms;
    }

    /// <summary>A loopback port nothing listens on (yet).</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _rootKey.Dispose();
        _tempKey.Dispose();
        RootCa.Dispose();
        TempCa.Dispose();
        _pki.Dispose();
    }

    private static WebApplication CreateApp(int port, X509Certificate2 serverCertificate, X509Certificate2 tempCa)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseGrpcTls(new GrpcServerTlsOptions
        {
            ServerCertificate = serverCertificate,
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, tempCa),
        })));
        builder.Services.AddRouting();
        return builder.Build();
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private AppKeyResponse GetAppKey(GetAppKeyRequest request, CallContext context)
    {
        if (DenyReason is { } reason)
        {
            throw new RpcException(StatusCode.PermissionDenied, reason);
        }

        var certificate = context.ClientCertificate ?? throw new RpcException(StatusCode.Unauthenticated, "No attestation provided");
        var raTls = RaTlsCertificate.Parse(certificate);
        var attestation = AttestationCodec.Decode(raTls.Attestation ?? throw new RpcException(StatusCode.Unauthenticated, "No attestation provided"));
        var verification = new QuoteVerifier(_pki.TrustRoot).Verify(attestation.Quote);
        var quote = verification.Quote ?? throw new RpcException(StatusCode.PermissionDenied, "invalid quote: " + string.Join("; ", verification.Failures));
        var runtimeEvents = attestation.RuntimeEvents;
        var record = new KmsCallRecord
        {
            Certificate = X509CertificateLoader.LoadCertificate(certificate.RawData),
            Subject = certificate.Subject,
            Issuer = certificate.Issuer,
            BoundToCertificateKey = raTls.IsBoundTo(attestation.ReportData) && quote.ReportData.Span.SequenceEqual(attestation.ReportData),
            QuoteVerified = verification.IsValid,
            Rtmr3Replays = AppInfoCalculator.ReplayRuntimeEvents(runtimeEvents, bootTime: false).AsSpan().SequenceEqual(quote.Rtmrs[3].Span),
            EventNames = [.. runtimeEvents.Select(e => e.Name)],
            VmConfig = request.VmConfig,
        };
        Calls.Enqueue(record);
        if (!record.BoundToCertificateKey || !record.QuoteVerified || !record.Rtmr3Replays)
        {
            throw new RpcException(StatusCode.PermissionDenied, "invalid quote");
        }

        var appId = AppInfoCalculator.FindPayload(runtimeEvents, "app-id") ?? throw new RpcException(StatusCode.PermissionDenied, "no app-id event");
        var instanceId = AppInfoCalculator.FindPayload(runtimeEvents, "instance-id") ?? [];
        var keys = KmsKeyDerivation.DeriveAppKeys(LibSecp256k1.Instance, RootCaScalar, K256RootKey, appId, instanceId);
        return new AppKeyResponse
        {
            CaCert = RootCa.ExportCertificatePem() + "\n",
            DiskCryptKey = ByteString.CopyFrom(keys.DiskCryptKey.Span),
            EnvCryptKey = ByteString.CopyFrom(keys.EnvCryptKey.Span),
            K256Key = ByteString.CopyFrom(keys.K256Key.Span),
            K256Signature = ByteString.CopyFrom(keys.K256Signature.Span),
            GatewayAppId = "test-gateway",
            TproxyAppId = "test-gateway",
            OsImageHash = ByteString.CopyFrom(AppInfoCalculator.OsImageHashFromConfig(request.VmConfig) ?? []),
        };
    }
}
