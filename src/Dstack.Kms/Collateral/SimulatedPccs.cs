using Dstack.Attestation.Dcap.Pccs;
using Dstack.Attestation.Simulation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Collateral;

/// <summary>
/// The PCCS of a simulated platform (spec dcap-collateral §8): Kestrel on a loopback port serving the TDX v4 collateral
/// paths with collateral the simulated TD's mock PKI signs at each request, so that a simulated KMS fetches, verifies and
/// caches collateral over HTTP exactly as it does from a real PCCS. Started with the host, before any RPC is served;
/// disabled (nothing listens) when there is no simulated PKI or a PCCS URL is configured.
/// </summary>
internal sealed class SimulatedPccs(MockDcapPki? pki, TimeProvider timeProvider) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Whether this PCCS serves (a simulated root and no configured PCCS URL).</summary>
    public bool IsEnabled => pki is not null;

    private readonly SemaphoreSlim _starting = new(1, 1);

    /// <summary>The base URL, once started.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The base URL, starting the server first if the host has not (commands that use the services without running the host).</summary>
    public string EnsureStarted()
    {
        if (Url.Length == 0)
        {
            StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        return Url;
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (pki is null)
        {
            return;
        }

        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is null)
            {
                await StartServerAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _starting.Release();
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(ServeAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        Url = app.Urls.First();
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => _app?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _starting.Dispose();
    }

    private Task ServeAsync(HttpContext context) =>
        Write(context, PccsResponse.For(context.Request.Path.Value ?? "", pki!.CreateCollateral(timeProvider.GetUtcNow())));

    /// <summary>Writes <paramref name="answer"/> as the HTTP response of <paramref name="context"/>.</summary>
    internal static Task Write(HttpContext context, PccsResponse answer)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(answer);
        context.Response.StatusCode = answer.StatusCode;
        context.Response.ContentType = answer.ContentType;
        context.Response.ContentLength = answer.Body.Length;
        if (answer.IssuerChainHeader is { } header)
        {
            context.Response.Headers[header] = answer.IssuerChain;
        }

        return context.Response.Body.WriteAsync(answer.Body).AsTask();
    }
}
