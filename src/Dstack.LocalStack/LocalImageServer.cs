using System.Collections.Concurrent;
using Dstack.Attestation.OsImage;
using Dstack.Kms.Images;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dstack.LocalStack;

/// <summary>
/// The local stack's OS-image download server (os-image-verification.md §4.1, §7): Kestrel on a loopback port serving
/// <c>/&lt;os_image_hash&gt;.tar.gz</c> bundles (<c>sha256sum.txt</c> + <c>measurement.tdx.cbor</c>) of the simulated
/// images its TDs boot, so the KMS's <c>Image:DownloadUrl</c> path works locally as it does against a real image server.
/// </summary>
internal sealed class LocalImageServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> _bundles = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private LocalImageServer(WebApplication app) => _app = app;

    /// <summary>The KMS's <c>Image:DownloadUrl</c> template for this server.</summary>
    public string UrlTemplate { get; private set; } = "";

    /// <summary>Starts the server with the bundles of <paramref name="images"/>.</summary>
    public static async Task<LocalImageServer> StartAsync(IEnumerable<SimulatedOsImage> images, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new LocalImageServer(app);
        foreach (var image in images)
        {
            server._bundles["/" + image.OsImageHashHex + ".tar.gz"] = Bundle(image);
        }

        app.Run(server.ServeAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        server.UrlTemplate = app.Urls.First() + "/{OS_IMAGE_HASH}.tar.gz";
        return server;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);

    private static byte[] Bundle(SimulatedOsImage image)
    {
        using var output = new MemoryStream();
        var hash = OsImageBundleArchive.Write(output, [(OsImageMaterial.MeasurementFileName, image.Measurement)]);
        return hash.AsSpan().SequenceEqual(image.OsImageHash)
            ? output.ToArray()
            : throw new InvalidOperationException($"the bundle of the simulated image {image.Name} does not reproduce its os_image_hash");
    }

    private Task ServeAsync(HttpContext context)
    {
        if (!_bundles.TryGetValue(context.Request.Path.Value ?? "", out var body))
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        }

        context.Response.ContentType = "application/gzip";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
