using Dstack.Kms.Policies;
using Dstack.Kms.Tests.OnChain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dstack.Kms.Tests;

/// <summary>The webhook policy against a real Kestrel auth service on a loopback port.</summary>
public sealed class WebhookPolicyTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly List<(string Path, string Body, string? UserAgent)> _requests = [];
    private WebApplication _server = null!;
    private Func<HttpContext, Task> _handler = _ => Task.CompletedTask;
    private Uri _baseUrl = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            lock (_requests)
            {
                _requests.Add((context.Request.Method + " " + context.Request.Path, body, context.Request.Headers.UserAgent.ToString()));
            }

            await _handler(context);
        });
        await _server.StartAsync();
        _baseUrl = new Uri(_server.Urls.First() + "/auth");
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Allowed_decision_carries_the_gateway_app_id_and_the_boot_info_is_posted()
    {
        _handler = c => Json(c, 200, "{\"isAllowed\":true,\"reason\":\"\",\"gatewayAppId\":\"gw-7\"}");
        using var http = new HttpClient();
        var policy = CreatePolicy(http);

        var app = await policy.IsAppAllowedAsync(PolicyTests.SampleBootInfo(), None);
        var kms = await policy.IsKmsAllowedAsync(PolicyTests.SampleBootInfo(), None);

        Assert.Equal(PolicyDecision.Allow("gw-7"), app);
        Assert.True(kms.IsAllowed);
        Assert.Equal("POST /auth/bootAuth/app", _requests[0].Path);
        Assert.Equal("POST /auth/bootAuth/kms", _requests[1].Path);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(PolicyTests.SampleBootInfo().ToJson()), _requests[0].Body);
        Assert.StartsWith("dstack-kms/", _requests[0].UserAgent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusal_carries_the_webhook_reason()
    {
        _handler = c => Json(c, 200, "{\"isAllowed\":false,\"reason\":\"Compose hash not allowed\",\"gatewayAppId\":\"\"}");
        using var http = new HttpClient();

        var decision = await CreatePolicy(http).IsAppAllowedAsync(PolicyTests.SampleBootInfo(), None);

        Assert.False(decision.IsAllowed);
        Assert.False(decision.IsBackendFailure);
        Assert.Equal("Compose hash not allowed", decision.Reason);
    }

    [Theory]
    [InlineData(500, "{\"isAllowed\":true,\"reason\":\"\",\"gatewayAppId\":\"\"}")]
    [InlineData(200, "not json")]
    [InlineData(200, "{\"isAllowed\":true,\"gatewayAppId\":\"\"}")]
    [InlineData(200, "{\"isAllowed\":\"yes\",\"reason\":\"\",\"gatewayAppId\":\"\"}")]
    public async Task Server_error_or_malformed_answer_denies_as_backend_unavailable(int status, string body)
    {
        _handler = c => Json(c, status, body);
        using var http = new HttpClient();

        var decision = await CreatePolicy(http).IsAppAllowedAsync(PolicyTests.SampleBootInfo(), None);

        Assert.Equal(PolicyDecision.Unavailable(), decision);
        Assert.Equal("authorization backend unavailable", decision.Reason);
    }

    [Fact]
    public async Task Timeout_denies_as_backend_unavailable()
    {
        _handler = async c => await Task.Delay(Timeout.Infinite, c.RequestAborted);
        using var http = new HttpClient();

        var decision = await CreatePolicy(http, TimeSpan.FromMilliseconds(200)).IsAppAllowedAsync(PolicyTests.SampleBootInfo(), None);

        Assert.True(decision.IsBackendFailure);
        Assert.Equal("authorization backend unavailable", decision.Reason);
    }

    [Fact]
    public async Task Unreachable_webhook_denies_as_backend_unavailable()
    {
        using var http = new HttpClient();
        var closedPort = new Uri("http://127.0.0.1:1/");

        var decision = await new WebhookPolicy(http, closedPort, TimeSpan.FromSeconds(10), TimeProvider.System, NullLogger.Instance)
            .IsKmsAllowedAsync(PolicyTests.SampleBootInfo(), None);

        Assert.True(decision.IsBackendFailure);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_denies_as_backend_unavailable()
    {
        _handler = c =>
        {
            if (c.Request.Path.StartsWithSegments("/elsewhere", StringComparison.Ordinal))
            {
                return Json(c, 200, "{\"isAllowed\":true,\"reason\":\"\",\"gatewayAppId\":\"gw\"}");
            }

            c.Response.StatusCode = 307;
            c.Response.Headers.Location = "/elsewhere/bootAuth/app";
            return Task.CompletedTask;
        };
        using var http = WebhookPolicy.CreateHttpClient();
        var logger = new CapturingLogger();

        var decision = await new WebhookPolicy(http, _baseUrl, TimeSpan.FromSeconds(10), TimeProvider.System, logger).IsAppAllowedAsync(PolicyTests.SampleBootInfo(), None);

        Assert.Equal(PolicyDecision.Unavailable(), decision);
        Assert.Equal(["POST /auth/bootAuth/app"], _requests.Select(r => r.Path)); // the redirect target was never called
        Assert.Contains(logger.Entries, e => e.Message.Contains("HTTP 307 redirect to /elsewhere/bootAuth/app (redirects are not followed)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_connection_reset_before_the_answer_denies_as_backend_unavailable()
    {
        _handler = c =>
        {
            c.Abort(); // the backend dies while handling the request
            return Task.CompletedTask;
        };
        using var http = WebhookPolicy.CreateHttpClient();
        var logger = new CapturingLogger();

        var decision = await new WebhookPolicy(http, _baseUrl, TimeSpan.FromSeconds(10), TimeProvider.System, logger).IsAppAllowedAsync(PolicyTests.SampleBootInfo(), None);

        Assert.Equal(PolicyDecision.Unavailable(), decision);
        Assert.DoesNotContain("malformed", Assert.Single(logger.Entries).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_closed_mid_response_body_denies_as_backend_unavailable_and_logs_the_io_error()
    {
        // a raw HTTP server on loopback that sends the headers and half of the body, then closes the connection (FIN)
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var received = new List<byte>();
            var buffer = new byte[4096];
            while (!System.Text.Encoding.ASCII.GetString([.. received]).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await socket.ReceiveAsync(buffer);
                if (n == 0)
                {
                    return;
                }

                received.AddRange(buffer.AsSpan(0, n));
            }

            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"isAllowed\":tr"u8.ToArray());
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        });
        using var http = WebhookPolicy.CreateHttpClient();
        var logger = new CapturingLogger();

        var decision = await new WebhookPolicy(http, new Uri($"http://127.0.0.1:{port}/auth"), TimeSpan.FromSeconds(10), TimeProvider.System, logger)
            .IsAppAllowedAsync(PolicyTests.SampleBootInfo(), None);
        await server;

        Assert.Equal(PolicyDecision.Unavailable(), decision);
        Assert.Equal("authorization backend unavailable", decision.Reason);
        Assert.Contains("ended prematurely", Assert.Single(logger.Entries).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_turned_into_a_decision()
    {
        _handler = async c => await Task.Delay(Timeout.Infinite, c.RequestAborted);
        using var http = WebhookPolicy.CreateHttpClient();
        using var cancel = new CancellationTokenSource();
        var pending = CreatePolicy(http).IsAppAllowedAsync(PolicyTests.SampleBootInfo(), cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task Info_call_reads_the_base_url()
    {
        _handler = c => Json(c, 200, "{\"status\":\"ok\",\"kmsContractAddr\":\"0x01\",\"gatewayAppId\":\"gw\",\"chainId\":1337,\"appImplementation\":\"0x02\"}");
        using var http = new HttpClient();

        var info = await CreatePolicy(http).GetInfoAsync(None);

        Assert.Equal(new KmsPolicyInfo(false, "gw", "0x01", 1337, "0x02"), info);
        Assert.Equal("GET /auth/", _requests[0].Path);
    }

    [Fact]
    public async Task Self_authorization_posts_the_kms_own_boot_info_to_bootAuth_kms_and_refuses_with_its_reason()
    {
        using var bed = await KmsTestBed.CreateAsync();
        _handler = c => Json(c, 200, "{\"isAllowed\":false,\"reason\":\"not this kms build\",\"gatewayAppId\":\"\"}");
        using var http = new HttpClient();
        using var self = bed.CreateSelfAuthorization(CreatePolicy(http));

        var state = await self.CheckAsync(None);

        Assert.Equal("KMS not allowed: not this kms build", state.Refusal?.Reason);
        Assert.Equal(Service.KmsRefusalKind.Denied, state.Refusal?.Kind);
        var (path, body, _) = Assert.Single(_requests);
        Assert.Equal("POST /auth/bootAuth/kms", path);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal(Convert.ToHexStringLower(bed.KmsIdentity.MrAggregated), json.RootElement.GetProperty("mrAggregated").GetString());
        Assert.Equal(Convert.ToHexStringLower(KmsTestBed.KmsAppId), json.RootElement.GetProperty("appId").GetString());
        Assert.Equal(Convert.ToHexStringLower(KmsTestBed.OsImageHash), json.RootElement.GetProperty("osImageHash").GetString());
        Assert.Equal(KmsTestBed.DeviceId, json.RootElement.GetProperty("deviceId").GetString());
    }

    private WebhookPolicy CreatePolicy(HttpClient http, TimeSpan? timeout = null) =>
        new(http, _baseUrl, timeout ?? TimeSpan.FromSeconds(10), TimeProvider.System, NullLogger.Instance);

    private static async Task Json(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }
}
