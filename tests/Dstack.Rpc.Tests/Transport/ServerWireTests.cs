using System.Net;
using System.Net.Http.Headers;
using Dstack.Rpc.Kms;
using Dstack.Rpc.Protocol;
using Dstack.Rpc.Tests.Support;
using Google.Protobuf;

namespace Dstack.Rpc.Tests.Transport;

/// <summary>What our server puts on the wire, seen through a bare HTTP/2 client.</summary>
public sealed class ServerWireTests : IAsyncLifetime, IDisposable
{
    private TestGrpcServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await TestGrpcServer.StartAsync();
        _http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Success_has_one_frame_and_the_status_in_the_trailers()
    {
        using var response = await SendAsync("/kms.KMS/GetAppKey", Frame(new GetAppKeyRequest { ApiVersion = 2, VmConfig = "x" }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.Contains("grpc-status"));
        var body = await response.Content.ReadAsByteArrayAsync();
        var message = AppKeyResponse.Parser.ParseFrom(body.AsSpan(5).ToArray());
        Assert.Equal("x", message.CaCert);
        Assert.Equal(body.Length - 5, (body[1] << 24) | (body[2] << 16) | (body[3] << 8) | body[4]);
        Assert.Equal("0", Single(response.TrailingHeaders, "grpc-status"));
    }

    [Fact]
    public async Task Errors_are_trailers_only_with_a_percent_encoded_message()
    {
        using var response = await SendAsync("/kms.KMS/GetAppKey", Frame(new GetAppKeyRequest { VmConfig = "status:7:not allowed: 100% ✓" }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("7", Single(response.Headers, "grpc-status"));
        Assert.Equal("not allowed: 100%25 %E2%9C%93", Single(response.Headers, "grpc-message"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.False(response.TrailingHeaders.Contains("grpc-status"));
    }

    [Fact]
    public async Task Application_grpc_proto_is_accepted()
    {
        using var response = await SendAsync("/kms.KMS/GetAppKey", Frame(new GetAppKeyRequest { VmConfig = "y" }), "application/grpc+proto");
        await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("0", Single(response.TrailingHeaders, "grpc-status"));
    }

    [Fact]
    public async Task Other_content_types_are_415()
    {
        using var response = await SendAsync("/kms.KMS/GetAppKey", Frame(new GetAppKeyRequest()), "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task The_server_enforces_grpc_timeout_by_cancelling_the_handler()
    {
        // No client-side deadline: only the server's timer can end this call.
        using var response = await SendAsync("/kms.KMS/GetAppKey", Frame(new GetAppKeyRequest { VmConfig = "wait" }), timeout: "1S");
        Assert.Equal("4", Single(response.Headers, "grpc-status"));
        await _server.AssertWaitingHandlerWasCancelledAsync();
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0 }, "12")]
    [InlineData(new byte[] { 0, 0, 0, 0, 9, 1, 2 }, "13")]
    [InlineData(new byte[] { 0, 0, 0 }, "13")]
    [InlineData(new byte[] { 0, 0, 0, 0, 2, 0xFF, 0xFF }, "13")]
    [InlineData(new byte[0], "13")]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "13")]
    [InlineData(new byte[] { 0, 0x7F, 0xFF, 0xFF, 0xFF }, "8")]
    public async Task Malformed_compressed_missing_or_oversize_requests_are_refused(byte[] body, string status)
    {
        using var response = await SendAsync("/kms.KMS/GetAppKey", body);
        Assert.Equal(status, Single(response.Headers, "grpc-status"));
    }

    [Fact]
    public async Task An_invalid_grpc_timeout_is_internal()
    {
        using var response = await SendAsync("/kms.KMS/GetAppKey", Frame(new GetAppKeyRequest()), timeout: "soon");
        Assert.Equal("13", Single(response.Headers, "grpc-status"));
    }

    [Fact]
    public async Task Unknown_paths_are_unimplemented()
    {
        using var response = await SendAsync("/kms.KMS/Nope", Frame(new GetAppKeyRequest()));
        Assert.Equal("12", Single(response.Headers, "grpc-status"));
    }

    private static byte[] Frame(IMessage message) => GrpcFraming.Frame(message, int.MaxValue - 5);

    private static string Single(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? Assert.Single(values) : throw new Xunit.Sdk.XunitException("no " + name + " header");

    private async Task<HttpResponseMessage> SendAsync(string path, byte[] body, string contentType = "application/grpc", string? timeout = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{_server.Port}{path}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TE.ParseAdd("trailers");
        if (timeout is not null)
        {
            request.Headers.TryAddWithoutValidation("grpc-timeout", timeout);
        }

        var response = await _http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
