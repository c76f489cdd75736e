using System.Collections.Concurrent;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.Dcap.Pccs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dstack.Tests.Pccs;

/// <summary>
/// A local PCCS for tests: real Kestrel on a loopback port serving the TDX v4 collateral paths, one collateral set per
/// named site (<c>http://127.0.0.1:port/&lt;site&gt;</c> is a PCCS base URL). A site can be taken down (HTTP 503) and back
/// up, and counts the requests it answered.
/// </summary>
internal sealed class PccsServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Site> _sites = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private PccsServer(WebApplication app) => _app = app;

    /// <summary>http://127.0.0.1:port</summary>
    public string Root { get; private set; } = "";

    /// <summary>Starts the server.</summary>
    public static async Task<PccsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new PccsServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Root = app.Urls.First();
        return server;
    }

    /// <summary>Serves <paramref name="collateral"/> (evaluated per request) under <c>/&lt;name&gt;</c>; returns that base URL.</summary>
    public string Serve(string name, Func<DcapCollateral?> collateral)
    {
        _sites[name] = new Site(collateral);
        return Root + "/" + name;
    }

    /// <summary>Serves a fixed collateral set under <c>/&lt;name&gt;</c>; returns that base URL.</summary>
    public string Serve(string name, DcapCollateral collateral) => Serve(name, () => collateral);

    /// <summary>Takes the site down (every request answers 503) or brings it back.</summary>
    public void SetDown(string name, bool down) => _sites[name].Down = down;

    /// <summary>Requests the site has answered with collateral.</summary>
    public int Requests(string name) => _sites.TryGetValue(name, out var site) ? site.Requests : 0;

    /// <summary>Rewrites responses of the site (tests of malformed answers); null to stop.</summary>
    public void Rewrite(string name, Func<string, PccsResponse, PccsResponse>? rewrite) => _sites[name].Rewrite = rewrite;

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var slash = path.IndexOf('/', 1);
        if (slash < 0 || !_sites.TryGetValue(path[1..slash], out var site))
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (site.Down)
        {
            context.Response.StatusCode = 503;
            return;
        }

        var rest = path[slash..];
        var answer = PccsResponse.For(rest, site.Collateral());
        if (site.Rewrite is { } rewrite)
        {
            answer = rewrite(rest, answer);
        }

        Interlocked.Increment(ref site.RequestCount);
        context.Response.StatusCode = answer.StatusCode;
        context.Response.ContentType = answer.ContentType;
        context.Response.ContentLength = answer.Body.Length;
        if (answer.IssuerChainHeader is { } header)
        {
            context.Response.Headers[header] = answer.IssuerChain;
        }

        await context.Response.Body.WriteAsync(answer.Body);
    }

    private sealed class Site(Func<DcapCollateral?> collateral)
    {
        public int RequestCount;

        public Func<DcapCollateral?> Collateral { get; } = collateral;

        public volatile bool Down;

        public Func<string, PccsResponse, PccsResponse>? Rewrite { get; set; }

        public int Requests => Volatile.Read(ref RequestCount);
    }
}
