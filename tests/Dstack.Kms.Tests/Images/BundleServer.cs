using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Dstack.Kms.Images;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Tests.Images;

/// <summary>A real Kestrel server on a loopback port that serves bundles by path and counts the requests.</summary>
internal sealed class BundleServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private BundleServer(WebApplication app) => _app = app;

    /// <summary>Replaces the default handler (serve <see cref="Serve"/>d files, else 404) when set.</summary>
    public Func<HttpContext, Task>? Handler { get; set; }

    /// <summary>The server's base URL, without a trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The download URL template pointing at this server.</summary>
    public string UrlTemplate => BaseUrl + "/" + ImageOptions.HashPlaceholder + ".tar.gz";

    /// <summary>All requests so far.</summary>
    public int TotalRequests => _hits.Values.Sum();

    /// <summary>Starts on http, or on https with <paramref name="certificate"/>.</summary>
    public static async Task<BundleServer> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost
            .UseKestrel(o => o.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate))
            .UseUrls(certificate is null ? "http://127.0.0.1:0" : "https://127.0.0.1:0");
        var app = builder.Build();
        var server = new BundleServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUrl = app.Urls.First();
        return server;
    }

    /// <summary>Serves <paramref name="body"/> at <c>/&lt;hex&gt;.tar.gz</c>.</summary>
    public void Serve(byte[] osImageHash, byte[] body) => _files[PathFor(osImageHash)] = body;

    /// <summary>The path the store requests for <paramref name="osImageHash"/>.</summary>
    public static string PathFor(byte[] osImageHash) => "/" + Convert.ToHexStringLower(osImageHash) + ".tar.gz";

    /// <summary>Requests for the bundle of <paramref name="osImageHash"/>.</summary>
    public int Requests(byte[] osImageHash) => _hits.GetValueOrDefault(PathFor(osImageHash));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        _hits.AddOrUpdate(context.Request.Path.Value ?? "", 1, (_, n) => n + 1);
        if (Handler is { } handler)
        {
            await handler(context);
            return;
        }

        if (!_files.TryGetValue(context.Request.Path.Value ?? "", out var body))
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.ContentType = "application/gzip";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
