using System.Text.Json.Nodes;
using Dstack.Rpc.Server;
using Dstack.Rpc.Tests.Support;

namespace Dstack.Rpc.Tests.Interop;

/// <summary>The real grpc-js client calls our Kestrel server.</summary>
public sealed class GrpcJsClientToOurServerTests : IDisposable
{
    private const string HardMessage = "refused: ✓ 100% — ключ 🔐 #";
    private readonly TestCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Theory]
    [InlineData(Transport.H2c)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.MutualTls)]
    public async Task Calls_succeed_with_messages_metadata_and_client_certificate(Transport transport)
    {
        await using var server = await StartServerAsync(transport);
        var results = await RunClientAsync(server, transport,
        [
            GrpcJs.Call("GetMeta", metadata: new JsonObject { ["x-test"] = "from-grpc-js" }),
            GrpcJs.Call("GetAppKey", new JsonObject { ["api_version"] = 5, ["vm_config"] = "{\"cpu\":2}" }),
            GrpcJs.Call("GetAppKey", new JsonObject { ["vm_config"] = "deadline-check" }, deadlineMs: 30_000),
            GrpcJs.Call("GetAppEnvEncryptPubKey", new JsonObject { ["app_id"] = "hex:0102030405" }),
        ]);

        Assert.All(results, r => Assert.Equal(0, r.Code()));
        var meta = results[0];
        Assert.Equal("dotnet-ca", meta.Field("ca_cert"));
        Assert.Equal(new string('2', 66), meta.Field("k256_pubkey"));
        Assert.Equal("8453", meta.Field("chain_id"));
        Assert.Equal("True", meta.Field("is_dev"), ignoreCase: true);
        Assert.Equal("from-grpc-js", meta.Field("gateway_app_id"));
        Assert.StartsWith("ipv4:127.0.0.1:", meta.Field("kms_contract_address"), StringComparison.Ordinal);
        Assert.Equal(transport == Transport.MutualTls ? "CN=interop-client" : "none", meta.Field("app_auth_implementation"));

        var appKey = results[1];
        Assert.Equal("{\"cpu\":2}", appKey.Field("ca_cert"));
        Assert.Equal("05", appKey.Field("k256_key"));
        Assert.Equal(string.Concat(Enumerable.Repeat("ab", 32)), appKey.Field("disk_crypt_key"));
        Assert.Equal("no-deadline", appKey.Field("gateway_app_id"));
        Assert.Equal("deadline", results[2].Field("gateway_app_id"));

        Assert.Equal("0504030201", results[3].Field("public_key"));
        Assert.Equal("1700000000", results[3].Field("timestamp"));
    }

    [Theory]
    [InlineData(Transport.H2c)]
    [InlineData(Transport.Tls)]
    public async Task Every_status_code_and_a_non_ascii_message_reach_grpc_js(Transport transport)
    {
        await using var server = await StartServerAsync(transport);
        var codes = Enumerable.Range(1, 16).ToArray();
        var calls = new JsonArray(codes.Select(code => (JsonNode)GrpcJs.Call("GetAppKey", new JsonObject { ["vm_config"] = $"status:{code}:{HardMessage}{code}" })).ToArray());
        var results = await RunClientAsync(server, transport, calls);

        for (var i = 0; i < codes.Length; i++)
        {
            Assert.Equal(codes[i], results[i].Code());
            Assert.Equal(HardMessage + codes[i], results[i].Details());
        }
    }

    [Fact]
    public async Task An_unexpected_handler_exception_is_unknown_without_its_detail()
    {
        await using var server = await StartServerAsync(Transport.H2c);
        var results = await RunClientAsync(server, Transport.H2c, [GrpcJs.Call("GetAppKey", new JsonObject { ["vm_config"] = "throw" })]);
        Assert.Equal((int)StatusCode.Unknown, results[0].Code());
        Assert.DoesNotContain("secret", results[0].Details(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Transport.H2c)]
    [InlineData(Transport.Tls)]
    public async Task Unknown_methods_and_services_are_unimplemented(Transport transport)
    {
        await using var server = await StartServerAsync(transport);
        var results = await RunClientAsync(server, transport,
        [
            GrpcJs.Call("GetTempCaCert"),
            GrpcJs.Call("NoSuchMethod", service: "NoSuchService"),
        ]);
        Assert.Equal((int)StatusCode.Unimplemented, results[0].Code());
        Assert.Contains("/kms.KMS/GetTempCaCert", results[0].Details(), StringComparison.Ordinal);
        Assert.Equal((int)StatusCode.Unimplemented, results[1].Code());
    }

    [Theory]
    [InlineData(Transport.H2c)]
    [InlineData(Transport.Tls)]
    public async Task The_deadline_cancels_the_handler_and_the_call_ends_deadline_exceeded(Transport transport)
    {
        await using var server = await StartServerAsync(transport);
        var results = await RunClientAsync(server, transport, [GrpcJs.Call("GetMeta"), GrpcJs.Call("GetAppKey", new JsonObject { ["vm_config"] = "wait" }, deadlineMs: 1000)]);
        Assert.Equal(0, results[0].Code());
        Assert.Equal((int)StatusCode.DeadlineExceeded, results[1].Code());
        await server.AssertWaitingHandlerWasCancelledAsync();
    }

    [Theory]
    [InlineData(Transport.H2c)]
    [InlineData(Transport.Tls)]
    public async Task Oversize_requests_and_responses_are_resource_exhausted(Transport transport)
    {
        var options = new GrpcServerOptions { MaxReceiveMessageSize = 1024, MaxSendMessageSize = 1024 };
        await using var server = await StartServerAsync(transport, options);
        var results = await RunClientAsync(server, transport,
        [
            GrpcJs.Call("GetAppKey", new JsonObject { ["vm_config"] = new string('r', 4000) }),
            GrpcJs.Call("GetAppKey", new JsonObject { ["vm_config"] = "big:5000" }),
            GrpcJs.Call("GetAppKey", new JsonObject { ["vm_config"] = "still fine afterwards" }),
        ]);
        Assert.Equal((int)StatusCode.ResourceExhausted, results[0].Code());
        Assert.Equal((int)StatusCode.ResourceExhausted, results[1].Code());
        Assert.Equal(0, results[2].Code());
    }

    private async Task<TestGrpcServer> StartServerAsync(Transport transport, GrpcServerOptions? options = null) => transport switch
    {
        Transport.H2c => await TestGrpcServer.StartAsync(options: options),
        _ => await TestGrpcServer.StartAsync(TestGrpcServer.MutualTls(_certificates), options),
    };

    private Task<System.Text.Json.JsonElement[]> RunClientAsync(TestGrpcServer server, Transport transport, JsonArray calls) =>
        GrpcJs.RunClientAsync(
            "127.0.0.1:" + server.Port,
            calls,
            transport == Transport.H2c ? null : GrpcJs.ClientTls(_certificates, transport == Transport.MutualTls));
}
