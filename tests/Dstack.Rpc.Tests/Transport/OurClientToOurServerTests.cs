using Dstack.Rpc.Client;
using Dstack.Rpc.Kms;
using Dstack.Rpc.Server;
using Dstack.Rpc.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Dstack.Rpc.Tests.Transport;

/// <summary>Both ends ours: the path the agent and the KMS take.</summary>
public sealed class OurClientToOurServerTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task Mutual_tls_call_shows_the_client_certificate_to_the_handler()
    {
        await using var server = await TestGrpcServer.StartAsync(TestGrpcServer.MutualTls(_certificates, ClientCertificateMode.RequireCertificate));
        using var client = new UnaryClient(new UnaryClientOptions
        {
            Address = new Uri($"https://127.0.0.1:{server.Port}"),
            ClientCertificate = _certificates.Client,
            ServerCertificateValidation = (certificate, _, _) => certificate.Thumbprint == _certificates.Server.Thumbprint,
        });
        var meta = await new KmsClient(client).GetMetaAsync(DateTimeOffset.UtcNow.AddSeconds(30));
        Assert.Equal("dotnet-ca", meta.CaCert);
        Assert.Equal("CN=interop-client", meta.AppAuthImplementation);
    }

    [Fact]
    public async Task A_client_certificate_the_server_rejects_fails_the_call()
    {
        using var stranger = new TestCertificates();
        await using var server = await TestGrpcServer.StartAsync(TestGrpcServer.MutualTls(_certificates, ClientCertificateMode.AllowCertificate));
        using var client = new UnaryClient(new UnaryClientOptions
        {
            Address = new Uri($"https://127.0.0.1:{server.Port}"),
            ClientCertificate = stranger.Client,
            ServerCertificateValidation = (_, _, _) => true,
        });
        var e = await Assert.ThrowsAsync<RpcException>(() => new KmsClient(client).GetMetaAsync(DateTimeOffset.UtcNow.AddSeconds(30)));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_completes_the_tls_handshake_is_unavailable_after_the_connect_timeout()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        using var client = new UnaryClient(new UnaryClientOptions
        {
            Address = new Uri($"https://127.0.0.1:{port}"),
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
        });

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<RpcException>(() => new KmsClient(client).GetMetaAsync(DateTimeOffset.UtcNow.AddSeconds(30)));

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Equal("Error connecting to the server: no connection within 0.5 s", e.Detail);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task Statuses_and_deadlines_round_trip()
    {
        await using var server = await TestGrpcServer.StartAsync();
        using var client = new UnaryClient(new UnaryClientOptions { Address = server.Address });
        var kms = new KmsClient(client);

        var denied = await Assert.ThrowsAsync<RpcException>(() => kms.GetAppKeyAsync(new GetAppKeyRequest { VmConfig = "status:7:compose hash 0xab… not allowed" }));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal("compose hash 0xab… not allowed", denied.Detail);

        var late = await Assert.ThrowsAsync<RpcException>(() => kms.GetAppKeyAsync(new GetAppKeyRequest { VmConfig = "wait" }, DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.Equal(StatusCode.DeadlineExceeded, late.StatusCode);
        await server.AssertWaitingHandlerWasCancelledAsync();

        var ok = await client.CallAsync<GetAppKeyRequest, AppKeyResponse>(KmsMethods.ServiceName, "GetAppKey", new GetAppKeyRequest { ApiVersion = 9, VmConfig = "v" });
        Assert.Equal(new byte[] { 9 }, ok.K256Key.ToByteArray());
    }

    [Fact]
    public async Task A_deadline_already_past_fails_without_calling()
    {
        using var client = new UnaryClient(new UnaryClientOptions { Address = new Uri("http://127.0.0.1:9") });
        var e = await Assert.ThrowsAsync<RpcException>(() => new KmsClient(client).GetMetaAsync(DateTimeOffset.UtcNow.AddSeconds(-1)));
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }

    [Fact]
    public void Mapping_a_method_twice_is_refused_and_the_builder_is_shared()
    {
        var app = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        app.WebHost.UseKestrelCore();
        app.Services.AddRouting();
        using var built = app.Build();
        var grpc = built.MapGrpcUnary();
        Assert.Same(grpc, built.MapGrpcUnary());
        grpc.MapUnary(KmsMethods.GetMeta, (_, _) => Task.FromResult(new GetMetaResponse()));
        Assert.Throws<InvalidOperationException>(() => grpc.MapUnary(KmsMethods.GetMeta, (_, _) => Task.FromResult(new GetMetaResponse())));
    }

    [Fact]
    public void Requesting_client_certificates_without_a_validation_callback_is_refused()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        ListenOptions? captured = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, listen => captured = listen));
        using var app = builder.Build();
        _ = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KestrelServerOptions>>().Value;
        Assert.NotNull(captured);
        Assert.Throws<ArgumentException>(() => captured.UseGrpcTls(new GrpcServerTlsOptions
        {
            ServerCertificate = _certificates.Server,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
        }));
    }
}
