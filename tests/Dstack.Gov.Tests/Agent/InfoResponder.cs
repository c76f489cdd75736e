using System.Text;
using System.Text.Json.Nodes;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Simulation;
using Dstack.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dstack.Gov.Tests.Agent;

/// <summary>
/// A stand-in for the agent's socket: Kestrel on a Unix socket answering <c>GET /Info</c> with fixed JSON, and
/// <c>GET /GetQuote?report_data=HEX</c> with a real quote of a simulated TD (booted from the default simulated OS
/// image), its event log and vm_config, as the agent does (responses with Content-Length).
/// </summary>
public sealed class InfoResponder : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory _directory;
    private readonly SimulatedTd _td;

    private InfoResponder(WebApplication app, string socketPath, TempDirectory directory, SimulatedTd td)
    {
        _app = app;
        SocketPath = socketPath;
        _directory = directory;
        _td = td;
    }

    public string SocketPath { get; }

    /// <summary>The vm_config of the simulated TD behind <c>/GetQuote</c>.</summary>
    public string VmConfig => _td.VmConfig;

    public static Task<InfoResponder> StartAsync(string json) => StartAsync(json, new GetQuoteBehaviour());

    public static async Task<InfoResponder> StartAsync(string json, GetQuoteBehaviour quote)
    {
        var directory = new TempDirectory();
        var td = SimulatedTd.Open(Path.Combine(directory.Path, "td"));
        var socketPath = Path.Combine(Path.GetTempPath(), "dstack-gov-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.ListenUnixSocket(socketPath));
        var app = builder.Build();
        var body = Encoding.UTF8.GetBytes(json);
        app.MapGet("/Info", context => WriteAsync(context, body));
        app.MapGet("/GetQuote", async context =>
        {
            var reportData = new byte[64];
            var requested = quote.ReplayedReportData ?? Convert.FromHexString(context.Request.Query["report_data"].ToString());
            requested.CopyTo(reportData, 0);
            var quoted = await td.Device.GetQuoteAsync(reportData, context.RequestAborted);
            var events = await td.ReadEventLogAsync(context.RequestAborted);
            var answer = new JsonObject
            {
                ["quote"] = Convert.ToHexStringLower(quoted),
                ["event_log"] = EventLogJson.Serialize(events),
                ["report_data"] = Convert.ToHexStringLower(reportData),
                ["vm_config"] = quote.VmConfig ?? td.VmConfig,
            };
            await WriteAsync(context, Encoding.UTF8.GetBytes(answer.ToJsonString()));
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(timeout.Token);
        return new InfoResponder(app, socketPath, directory, td);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        File.Delete(SocketPath);
        _td.Dispose();
        _directory.Dispose();
    }

    private static async Task WriteAsync(HttpContext context, byte[] body)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
