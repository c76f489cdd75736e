using System.Formats.Tar;
using System.IO.Compression;
using Dstack.Attestation.OsImage;
using Dstack.Tests;

namespace Dstack.LocalStack.Tests;

/// <summary>The local stack serves the simulated OS-image bundles by hash for the KMS's download path.</summary>
public sealed class LocalImageServerTests
{
    [Fact]
    public async Task The_bundle_of_a_simulated_image_is_served_by_its_hash_and_binds_to_it()
    {
        var image = SimulatedOsImage.Default;
        await using var server = await LocalImageServer.StartAsync([image], CancellationToken.None);
        using var http = new HttpClient();

        var bundle = await http.GetByteArrayAsync(server.UrlTemplate.Replace("{OS_IMAGE_HASH}", image.OsImageHashHex, StringComparison.Ordinal));
        var unknown = await http.GetAsync(server.UrlTemplate.Replace("{OS_IMAGE_HASH}", new string('0', 64), StringComparison.Ordinal));

        var files = new Dictionary<string, byte[]>();
        using (var tar = new TarReader(new GZipStream(new MemoryStream(bundle), CompressionMode.Decompress)))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                using var content = new MemoryStream();
                entry.DataStream!.CopyTo(content);
                files[entry.Name] = content.ToArray();
            }
        }

        Assert.Equal(["sha256sum.txt", OsImageMaterial.MeasurementFileName], files.Keys);
        Assert.Equal(image.ChecksumFile, files["sha256sum.txt"]);
        Assert.Equal(image.Measurement, files[OsImageMaterial.MeasurementFileName]);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public void The_in_process_kms_downloads_from_it_into_the_stack_directory()
    {
        using var dir = new TempDirectory();
        var layout = new LocalStackLayout(dir.Path);

        var values = LocalKmsConfiguration.Build(layout, null, 0, "http://127.0.0.1:1/{OS_IMAGE_HASH}.tar.gz").Values;

        Assert.Equal("http://127.0.0.1:1/{OS_IMAGE_HASH}.tar.gz", values["Image:DownloadUrl"]);
        Assert.Equal(Path.Combine(dir.Path, "kms", "images"), values["Image:CacheDirectory"]);
    }
}
