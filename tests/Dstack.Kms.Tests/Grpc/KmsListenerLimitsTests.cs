using System.Net.Security;
using System.Net.Sockets;
using Dstack.Kms.Hosting;
using Dstack.Rpc;
using Dstack.Rpc.Kms;
using Dstack.Tests;
using Google.Protobuf;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dstack.Kms.Tests.Grpc;

/// <summary>The limits of the KMS listener, on a real KMS (Kestrel, TLS on loopback).</summary>
public sealed class KmsListenerLimitsTests : IAsyncLifetime
{
    private static readonly TimeSpan ShortHeadersTimeout = TimeSpan.FromSeconds(1);
    private GrpcKmsBed _bed = null!;
    private Uri _kms = null!;

    public async Task InitializeAsync()
    {
        _bed = await GrpcKmsBed.CreateAsync();
        await _bed.PrepareKmsTdAsync("a");
        var port = TcpPorts.GetFree();
        _kms = await _bed.StartKmsAsync(_bed.WriteConfig("a", KmsTestBed.AllowingPolicy(), port), port, listenerLimits: l =>
        {
            l.RequestHeadersTimeout = ShortHeadersTimeout;
            l.KeepAliveTimeout = ShortHeadersTimeout; // what closes a connection that never starts a request
        });
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_message_over_the_grpc_limit_is_refused_with_resource_exhausted_and_the_sizes()
    {
        var request = new SignCertRequest { ApiVersion = 2, Csr = ByteString.CopyFrom(new byte[(4 << 20) + 1]), Signature = ByteString.CopyFrom(new byte[64]) };

        var error = await Assert.ThrowsAsync<RpcException>(() => _bed.Connect(_kms).SignCertAsync(request, GrpcKmsBed.Deadline()));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal($"Received message of {request.CalculateSize()} bytes exceeds the limit of {4 << 20} bytes", error.Detail);
    }

    [Fact]
    public async Task A_request_body_over_the_listener_limit_is_refused_with_resource_exhausted()
    {
        var request = new SignCertRequest { ApiVersion = 2, Csr = ByteString.CopyFrom(new byte[5 << 20]), Signature = ByteString.CopyFrom(new byte[64]) };

        var error = await Assert.ThrowsAsync<RpcException>(() => _bed.Connect(_kms).SignCertAsync(request, GrpcKmsBed.Deadline()));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal($"Request body exceeds the limit of {KmsListenerLimits.MaxRequestBodySize} bytes", error.Detail);
        Assert.NotNull(await _bed.Connect(_kms).GetMetaAsync(GrpcKmsBed.Deadline())); // and the KMS still serves
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_after_the_tls_handshake_is_closed()
    {
        using var tcp = new TcpClient();
        await using var tls = await ConnectTlsAsync(tcp);

        await AssertClosedAsync(tls);
    }

    [Fact]
    public async Task A_connection_that_stops_in_the_middle_of_its_headers_is_closed_by_the_headers_timeout()
    {
        using var tcp = new TcpClient();
        await using var tls = await ConnectTlsAsync(tcp);
        await tls.WriteAsync("GET /health HTTP/1.1\r\nHost: a.kms.test\r\n"u8.ToArray());
        await tls.FlushAsync();

        var answer = await AssertClosedAsync(tls);

        Assert.StartsWith("HTTP/1.1 408", answer, StringComparison.Ordinal);
    }

    private async Task<SslStream> ConnectTlsAsync(TcpClient tcp)
    {
        await tcp.ConnectAsync("127.0.0.1", _kms.Port);
        var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "a.kms.test",
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null, // the KMS RPC certificate, not checked further here
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        });
        return tls;
    }

    /// <summary>Reads until the server closes the connection; returns what it sent before.</summary>
    private static async Task<string> AssertClosedAsync(SslStream tls)
    {
        // a hang guard, not a timing assertion: the server closes long before it
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[4096];
        var total = 0;
        try
        {
            int read;
            while (total < buffer.Length && (read = await tls.ReadAsync(buffer.AsMemory(total), guard.Token)) > 0)
            {
                total += read; // Kestrel may answer 408 before closing
            }
        }
        catch (IOException)
        {
            // closed with a reset: closed all the same
        }

        Assert.False(guard.IsCancellationRequested, "the server kept the connection open");
        return System.Text.Encoding.ASCII.GetString(buffer, 0, total);
    }

    [Fact]
    public void The_listener_carries_the_limits()
    {
        var limits = _bed.LastStarted.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(KmsListenerLimits.MaxConcurrentConnections, limits.MaxConcurrentConnections);
        Assert.Equal(KmsListenerLimits.MaxConcurrentUpgradedConnections, limits.MaxConcurrentUpgradedConnections);
        Assert.Equal(KmsListenerLimits.MaxRequestBodySize, limits.MaxRequestBodySize);
        Assert.Equal(KmsListenerLimits.MaxRequestHeadersTotalSize, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(KmsListenerLimits.MaxRequestHeaderCount, limits.MaxRequestHeaderCount);
        Assert.Equal(ShortHeadersTimeout, limits.RequestHeadersTimeout); // the test's override, applied after the constants
        Assert.Equal(ShortHeadersTimeout, limits.KeepAliveTimeout);
        Assert.Equal(KmsListenerLimits.MinRequestBodyBytesPerSecond, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(KmsListenerLimits.MinDataRateGracePeriod, limits.MinRequestBodyDataRate.GracePeriod);
        Assert.Equal(KmsListenerLimits.MinResponseBytesPerSecond, limits.MinResponseDataRate!.BytesPerSecond);
        Assert.Equal(KmsListenerLimits.Http2MaxStreamsPerConnection, limits.Http2.MaxStreamsPerConnection);
        Assert.Equal(KmsListenerLimits.Http2HeaderTableSize, limits.Http2.HeaderTableSize);
        Assert.Equal(KmsListenerLimits.Http2MaxFrameSize, limits.Http2.MaxFrameSize);
        Assert.Equal(KmsListenerLimits.Http2MaxRequestHeaderFieldSize, limits.Http2.MaxRequestHeaderFieldSize);
        Assert.Equal(KmsListenerLimits.Http2InitialConnectionWindowSize, limits.Http2.InitialConnectionWindowSize);
        Assert.Equal(KmsListenerLimits.Http2InitialStreamWindowSize, limits.Http2.InitialStreamWindowSize);
        Assert.True(KmsListenerLimits.MaxRequestBodySize > Dstack.Rpc.Server.GrpcServerOptions.DefaultMaxReceiveMessageSize + 5);
        Assert.True(KmsListenerLimits.RequestHeadersTimeout > TimeSpan.Zero && KmsListenerLimits.RequestHeadersTimeout < TimeSpan.FromSeconds(30));
    }
}
