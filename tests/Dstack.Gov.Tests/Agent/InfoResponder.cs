using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Dstack.Gov.Tests.Agent;

/// <summary>A stand-in for the agent's socket: Kestrel on a Unix socket answering <c>GET /Info</c> with fixed JSON (with Content-Length).</summary>
public sealed class InfoResponder : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InfoResponder(WebApplication app, string socketPath)
    {
        _app = app;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    public static async Task<InfoResponder> StartAsync(string json)
    {
        var socketPath = Path.Combine(Path.GetTempPath(), "dstack-gov-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.ListenUnixSocket(socketPath));
        var app = builder.Build();
        var body = Encoding.UTF8.GetBytes(json);
        app.MapGet("/Info", async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(timeout.Token);
        return new InfoResponder(app, socketPath);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        File.Delete(SocketPath);
    }
}
