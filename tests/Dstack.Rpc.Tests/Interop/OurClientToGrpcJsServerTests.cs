using System.Net;
using System.Net.Sockets;
using Dstack.Rpc.Client;
using Dstack.Rpc.Kms;
using Dstack.Rpc.Tests.Support;
using Google.Protobuf;

namespace Dstack.Rpc.Tests.Interop;

/// <summary>Our HttpClient-based client calls the real grpc-js server.</summary>
public sealed class OurClientToGrpcJsServerTests : IDisposable
{
    private const string HardMessage = "refused: ✓ 100% — ключ 🔐";
    private readonly TestCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Theory]
    [InlineData(Transport.H2c)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.MutualTls)]
    public async Task Calls_succeed(Transport transport)
    {
        var (server, port) = await StartServerAsync(transport);
        await using var _ = server;
        using var client = CreateClient(transport, port);
        var kms = new KmsClient(client);

        var meta = await kms.GetMetaAsync(Deadline());
        Assert.Equal("interop-ca", meta.CaCert);
        Assert.True(meta.AllowAnyUpgrade);
        Assert.True(meta.IsDev);
        Assert.Equal(33, meta.K256Pubkey.Length);
        Assert.Equal(new byte[] { 1, 2, 3 }, meta.BootstrapInfo.CaPubkey.ToByteArray());
        Assert.True(meta.HasChainId);
        Assert.Equal(8453UL, meta.ChainId);
        Assert.Equal("gateway", meta.GatewayAppId);
        Assert.False(meta.HasKmsContractAddress);
        Assert.Equal(transport == Transport.MutualTls ? "CN=interop-client" : "none", meta.AppAuthImplementation);

        var appKey = await kms.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = "{}" }, Deadline());
        Assert.Equal("{}", appKey.CaCert);
        Assert.Equal(new byte[] { 1 }, appKey.K256Key.ToByteArray());
        Assert.Equal(32, appKey.DiskCryptKey.Length);
        Assert.Equal(new byte[] { 0x00, 0xFF }, appKey.OsImageHash.ToByteArray());

        var publicKey = await kms.GetAppEnvEncryptPubKeyAsync(new AppId { AppId_ = ByteString.CopyFrom(1, 2, 3) }, Deadline());
        Assert.Equal(new byte[] { 3, 2, 1 }, publicKey.PublicKey.ToByteArray());
        Assert.Equal(1_700_000_000UL, publicKey.Timestamp);
        Assert.Equal(65, publicKey.SignatureV1.Length);
    }

    [Theory]
    [InlineData(Transport.H2c, StatusCode.PermissionDenied)]
    [InlineData(Transport.H2c, StatusCode.FailedPrecondition)]
    [InlineData(Transport.Tls, StatusCode.InvalidArgument)]
    [InlineData(Transport.Tls, StatusCode.Unauthenticated)]
    public async Task Error_statuses_and_messages_arrive(Transport transport, StatusCode code)
    {
        var (server, port) = await StartServerAsync(transport);
        await using var _ = server;
        using var client = CreateClient(transport, port);
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            new KmsClient(client).GetAppKeyAsync(new GetAppKeyRequest { VmConfig = $"status:{(int)code}:{HardMessage}" }, Deadline()));
        Assert.Equal(code, e.StatusCode);
        Assert.Equal(HardMessage, e.Detail);
    }

    [Fact]
    public async Task A_method_the_server_lacks_is_unimplemented()
    {
        var (server, port) = await StartServerAsync(Transport.H2c);
        await using var _ = server;
        using var client = CreateClient(Transport.H2c, port);
        var e = await Assert.ThrowsAsync<RpcException>(() => new KmsClient(client).GetTempCaCertAsync(Deadline()));
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
    }

    [Theory]
    [InlineData(Transport.H2c)]
    [InlineData(Transport.Tls)]
    public async Task A_passed_deadline_is_deadline_exceeded(Transport transport)
    {
        var (server, port) = await StartServerAsync(transport);
        await using var _ = server;
        using var client = CreateClient(transport, port);
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            new KmsClient(client).GetAppKeyAsync(new GetAppKeyRequest { VmConfig = "sleep:60000" }, DateTimeOffset.UtcNow.AddMilliseconds(300)));
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_operation_cancelled()
    {
        var (server, port) = await StartServerAsync(Transport.H2c);
        await using var _ = server;
        using var client = CreateClient(Transport.H2c, port);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new KmsClient(client).GetAppKeyAsync(new GetAppKeyRequest { VmConfig = "sleep:60000" }, Deadline(), cancel.Token));
    }

    [Fact]
    public async Task Oversize_messages_are_resource_exhausted_both_ways()
    {
        var (server, port) = await StartServerAsync(Transport.H2c, maxReceive: 1024);
        await using var _ = server;
        using var client = new UnaryClient(new UnaryClientOptions { Address = new Uri($"http://127.0.0.1:{port}"), MaxReceiveMessageSize = 2048 });
        var kms = new KmsClient(client);

        var tooBigResponse = await Assert.ThrowsAsync<RpcException>(() => kms.GetAppKeyAsync(new GetAppKeyRequest { VmConfig = "big:5000" }, Deadline()));
        Assert.Equal(StatusCode.ResourceExhausted, tooBigResponse.StatusCode);

        var tooBigRequest = await Assert.ThrowsAsync<RpcException>(() => kms.GetAppKeyAsync(new GetAppKeyRequest { VmConfig = new string('q', 1500) }, Deadline()));
        Assert.Equal(StatusCode.ResourceExhausted, tooBigRequest.StatusCode);

        Assert.Equal("fine", (await kms.GetAppKeyAsync(new GetAppKeyRequest { VmConfig = "fine" }, Deadline())).CaCert);
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_unavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        using var client = CreateClient(Transport.H2c, port);
        var e = await Assert.ThrowsAsync<RpcException>(() => new KmsClient(client).GetMetaAsync(Deadline()));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }

    [Fact]
    public async Task A_server_that_requires_a_client_certificate_refuses_a_client_without_one()
    {
        var (server, port) = await StartServerAsync(Transport.MutualTls);
        await using var _ = server;
        using var client = CreateClient(Transport.Tls, port);
        var e = await Assert.ThrowsAsync<RpcException>(() => new KmsClient(client).GetMetaAsync(Deadline()));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }

    [Fact]
    public async Task A_server_certificate_the_callback_rejects_is_unavailable()
    {
        var (server, port) = await StartServerAsync(Transport.Tls);
        await using var _ = server;
        using var client = new UnaryClient(new UnaryClientOptions
        {
            Address = new Uri($"https://127.0.0.1:{port}"),
            ServerCertificateValidation = (_, _, _) => false,
        });
        var e = await Assert.ThrowsAsync<RpcException>(() => new KmsClient(client).GetMetaAsync(Deadline()));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }

    private static DateTimeOffset Deadline() => DateTimeOffset.UtcNow.AddSeconds(30);

    private Task<(NodeProcess Process, int Port)> StartServerAsync(Transport transport, int? maxReceive = null) => transport switch
    {
        Transport.H2c => GrpcJs.StartServerAsync(maxReceive: maxReceive),
        Transport.Tls => GrpcJs.StartServerAsync(GrpcJs.ServerTls(_certificates, requireClientCertificate: false), maxReceive),
        _ => GrpcJs.StartServerAsync(GrpcJs.ServerTls(_certificates, requireClientCertificate: true), maxReceive),
    };

    private UnaryClient CreateClient(Transport transport, int port) => new(transport == Transport.H2c
        ? new UnaryClientOptions { Address = new Uri($"http://127.0.0.1:{port}") }
        : new UnaryClientOptions
        {
            Address = new Uri($"https://127.0.0.1:{port}"),
            ServerCertificateValidation = (certificate, _, _) => _certificates.IssuedByCa(certificate),
            ClientCertificate = transport == Transport.MutualTls ? _certificates.Client : null,
        });
}
