using System.Net.Http.Headers;
using System.Text.Json;
using Dstack.Kms.Authentication;
using Dstack.Kms.Hosting;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Policies;

/// <summary>
/// The dstack auth webhook (kms.md §4.2): <c>POST &lt;base&gt;/bootAuth/app</c> or <c>/bootAuth/kms</c> with the
/// <see cref="BootInfo"/> JSON, answered by <c>{"isAllowed", "reason", "gatewayAppId"}</c> (all required). A timeout,
/// a transport or I/O error (a connection closed mid-response included), a non-2xx status (a 3xx too: redirects are
/// not followed) or a malformed body denies with <c>authorization backend unavailable</c>, the cause logged. Never cached.
/// </summary>
internal sealed class WebhookPolicy : IKmsPolicy
{
    /// <summary>Largest response body read.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    private static readonly ProductInfoHeaderValue UserAgent = new("dstack-kms", typeof(WebhookPolicy).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>
    /// The client the KMS gives the webhook: no redirects (a policy answer must come from the configured URL), no
    /// cookies, no proxy from the environment, connections recycled so DNS changes are seen.
    /// </summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // the policy's own timeout applies
    };

    /// <summary>Creates a webhook policy; a missing trailing '/' on <paramref name="baseUrl"/> is added.</summary>
    public WebhookPolicy(HttpClient http, Uri baseUrl, TimeSpan timeout, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseUrl);
        _http = http;
        _baseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        _timeout = timeout;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <inheritdoc />
    public Task<PolicyDecision> IsAppAllowedAsync(BootInfo bootInfo, CancellationToken cancellationToken) =>
        DecideAsync("bootAuth/app", bootInfo, cancellationToken);

    /// <inheritdoc />
    public Task<PolicyDecision> IsKmsAllowedAsync(BootInfo bootInfo, CancellationToken cancellationToken) =>
        DecideAsync("bootAuth/kms", bootInfo, cancellationToken);

    /// <inheritdoc />
    public async Task<KmsPolicyInfo> GetInfoAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _baseUrl);
        var body = await SendAsync(request, cancellationToken).ConfigureAwait(false)
            ?? throw new PolicyBackendException(PolicyReasons.BackendUnavailable);
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return new KmsPolicyInfo(
                false,
                RequireString(root, "gatewayAppId"),
                RequireString(root, "kmsContractAddr"),
                root.GetProperty("chainId").GetUInt64(),
                RequireString(root, "appImplementation"));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            KmsLog.WebhookFailed(_logger, _baseUrl.AbsoluteUri, "malformed info response: " + ex.Message);
            throw new PolicyBackendException(PolicyReasons.BackendUnavailable, ex);
        }
    }

    private async Task<PolicyDecision> DecideAsync(string path, BootInfo bootInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bootInfo);
        var url = new Uri(_baseUrl, path);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(bootInfo.ToJson()),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var body = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return PolicyDecision.Unavailable();
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var allowed = root.GetProperty("isAllowed").ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new FormatException("isAllowed is not a boolean"),
            };
            var reason = RequireString(root, "reason");
            var gateway = RequireString(root, "gatewayAppId");
            return allowed ? PolicyDecision.Allow(gateway) : PolicyDecision.Deny(reason, gateway);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            KmsLog.WebhookFailed(_logger, url.AbsoluteUri, "malformed decision: " + ex.Message);
            return PolicyDecision.Unavailable();
        }
    }

    /// <summary>Sends with the timeout; returns the 2xx body, or null (logged) on any transport, status or size failure.</summary>
    private async Task<byte[]?> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.UserAgent.Add(UserAgent);
        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var url = request.RequestUri!.AbsoluteUri;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                KmsLog.WebhookFailed(_logger, url, status is >= 300 and < 400
                    ? $"HTTP {status} redirect to {response.Headers.Location?.ToString() ?? "nowhere"} (redirects are not followed)"
                    : $"HTTP {status}");
                return null;
            }

            var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[MaxResponseBytes + 1];
                var total = 0;
                int read;
                while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), linked.Token).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }

                if (total > MaxResponseBytes)
                {
                    KmsLog.WebhookFailed(_logger, url, $"response larger than {MaxResponseBytes} bytes");
                    return null;
                }

                return buffer.AsSpan(0, total).ToArray();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            KmsLog.WebhookFailed(_logger, url, $"no answer within {_timeout.TotalSeconds:0.###} s");
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            KmsLog.WebhookFailed(_logger, url, ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message);
            return null;
        }
    }

    private static string RequireString(JsonElement root, string name)
    {
        var value = root.GetProperty(name);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"{name} is not a string");
    }
}
