using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using Dstack.Attestation.OsImage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dstack.EndToEnd.Tests.Support;

/// <summary>
/// The OS-image download server a KMS's <c>Image:DownloadUrl</c> points at: real Kestrel on a loopback port serving
/// <c>/&lt;os_image_hash&gt;.tar.gz</c> bundles (<c>sha256sum.txt</c> + <c>measurement.tdx.cbor</c>), 404 otherwise.
/// </summary>
internal sealed class ImageBundleServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private ImageBundleServer(WebApplication app) => _app = app;

    /// <summary>The KMS's <c>Image:DownloadUrl</c> for this server.</summary>
    public string UrlTemplate { get; private set; } = "";

    /// <summary>Starts the server.</summary>
    public static async Task<ImageBundleServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new ImageBundleServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.UrlTemplate = app.Urls.First() + "/{OS_IMAGE_HASH}.tar.gz";
        return server;
    }

    /// <summary>Serves the bundle of <paramref name="image"/>; <paramref name="measurement"/> replaces its CBOR file (a bundle that fails its checksum).</summary>
    public void Serve(SimulatedOsImage image, byte[]? measurement = null) =>
        _files["/" + image.OsImageHashHex + ".tar.gz"] = Bundle(image.ChecksumFile, measurement ?? image.Measurement);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static byte[] Bundle(byte[] checksumFile, byte[] measurement)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in new[] { ("sha256sum.txt", checksumFile), (OsImageMaterial.MeasurementFileName, measurement) })
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            }
        }

        return output.ToArray();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!_files.TryGetValue(context.Request.Path.Value ?? "", out var body))
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.ContentType = "application/gzip";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    }
}
