using System.Formats.Tar;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Dstack.Attestation.OsImage;
using Dstack.Kms.Images;
using Dstack.Kms.Tests.OnChain;
using Dstack.Tests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Dstack.Kms.Tests.Images;

/// <summary>The bundle store against a real Kestrel download server on a loopback port.</summary>
public sealed class OsImageBundleStoreTests : IAsyncLifetime, IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _cache = new();
    private readonly FakeTimeProvider _time = new();
    private readonly HttpClient _http = OsImageBundleStore.CreateHttpClient();
    private BundleServer _server = null!;

    public async Task InitializeAsync() => _server = await BundleServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        _http.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public async Task Downloads_verifies_and_caches_then_serves_from_the_cache_without_the_server()
    {
        var (hash, body) = TestArchives.Standard();
        _server.Serve(hash, body);
        var store = CreateStore();

        var first = await store.GetAsync(hash, None);
        var second = await CreateStore().GetAsync(hash, None);

        var hex = Convert.ToHexStringLower(hash);
        var entry = Path.Combine(_cache.Path, "images", hex);
        Assert.Equal(1, _server.Requests(hash));
        Assert.Equal(1, _server.TotalRequests);
        Assert.Equal(entry, first.Directory);
        Assert.Equal(hash, first.OsImageHash.ToArray());
        Assert.Equal(TestArchives.Measurement, first.Material.Measurement);
        Assert.Equal(OsImageBundleArchive.ChecksumFile(TestArchives.StandardFiles()), first.Material.ChecksumFile);
        Assert.Equal(hash, SHA256.HashData(first.Material.ChecksumFile));
        Assert.Equal(first.Material.ChecksumFile, second.Material.ChecksumFile);
        Assert.Equal(first.Material.Measurement, second.Material.Measurement);
        Assert.Equal(entry, second.Directory);
        Assert.Equal(
            ["bzImage", "measurement.tdx.cbor", "metadata.json", "ovmf.fd", "sha256sum.txt"],
            Directory.EnumerateFileSystemEntries(entry).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(TestArchives.StandardFiles()[0].Content, await File.ReadAllBytesAsync(Path.Combine(entry, "ovmf.fd")));
        AssertNoTemporaryLeft();
    }

    [Fact]
    public async Task A_downloaded_simulated_bundle_verifies_a_simulated_boot()
    {
        // os-image-verification.md §7: the bundle of dstack-sim-0.6.0, served over HTTP, fed to the lite computation
        var image = SimulatedOsImage.Default;
        var (hash, body) = TestArchives.Build([(OsImageBundleStore.MeasurementFileName, image.Measurement)]);
        _server.Serve(hash, body);
        var boot = image.Boot(2147483648, "8.2.2");
        var config = OsImageVmConfig.Parse(boot.VmConfig);

        var bundle = await CreateStore().GetAsync(config.OsImageHash, None);
        var verdict = OsImageVerifier.VerifyWithMaterial(config, bundle.Material, boot.Registers, boot.Events);

        Assert.Equal("92183ca5331fb3459d293aa61087659801cdf281f3a2637bc5a84cde8cf0b17a", Convert.ToHexStringLower(hash));
        Assert.Equal(image.ChecksumFile, bundle.Material.ChecksumFile);
        Assert.True(verdict.Verified, verdict.Reason);
        Assert.Equal(OsImageVerdict.BundleMode, verdict.Mode);
    }

    [Fact]
    public async Task Unlisted_top_level_files_and_directories_are_removed_before_caching()
    {
        var files = TestArchives.StandardFiles();
        var (hash, body) = TestArchives.WithManifest(
            OsImageBundleArchive.ChecksumFile(files),
            files,
            TarSpec.File("rootfs.img", [1, 2, 3]),
            TarSpec.Dir("docs/"),
            TarSpec.File("docs/readme.txt", [4]),
            TarSpec.File("./digest.txt", [5]));
        _server.Serve(hash, body);

        var bundle = await CreateStore().GetAsync(hash, None);

        Assert.Equal(
            ["bzImage", "measurement.tdx.cbor", "metadata.json", "ovmf.fd", "sha256sum.txt"],
            Directory.EnumerateFileSystemEntries(bundle.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("edit-listed-file")]
    [InlineData("delete-measurement")]
    [InlineData("edit-measurement")]
    [InlineData("edit-manifest")]
    [InlineData("delete-manifest")]
    [InlineData("entry-is-a-file")]
    public async Task A_corrupt_cache_entry_is_deleted_and_downloaded_again(string corruption)
    {
        var (hash, body) = TestArchives.Standard();
        _server.Serve(hash, body);
        var store = CreateStore();
        var entry = (await store.GetAsync(hash, None)).Directory;
        switch (corruption)
        {
            case "edit-listed-file":
                FlipByte(Path.Combine(entry, "bzImage"), 1234);
                break;
            case "delete-measurement":
                File.Delete(Path.Combine(entry, OsImageBundleStore.MeasurementFileName));
                break;
            case "edit-measurement":
                FlipByte(Path.Combine(entry, OsImageBundleStore.MeasurementFileName), 0);
                break;
            case "edit-manifest":
                FlipByte(Path.Combine(entry, "sha256sum.txt"), 3);
                break;
            case "delete-manifest":
                File.Delete(Path.Combine(entry, "sha256sum.txt"));
                break;
            default:
                Directory.Delete(entry, recursive: true);
                await File.WriteAllTextAsync(entry, "not a directory");
                break;
        }

        var again = await store.GetAsync(hash, None);

        Assert.Equal(2, _server.Requests(hash));
        Assert.Equal(TestArchives.Measurement, again.Material.Measurement);
        Assert.Equal(TestArchives.StandardFiles()[1].Content, await File.ReadAllBytesAsync(Path.Combine(entry, "bzImage")));
        Assert.Equal(TestArchives.Measurement, await File.ReadAllBytesAsync(Path.Combine(entry, OsImageBundleStore.MeasurementFileName)));
        await store.GetAsync(hash, None);
        Assert.Equal(2, _server.Requests(hash));
        AssertNoTemporaryLeft();
    }

    [Fact]
    public async Task Not_found_reports_the_status_and_the_url()
    {
        var hash = SHA256.HashData("absent"u8);

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore().GetAsync(hash, None));

        Assert.Equal($"Failed to download image: HTTP status 404, url: {_server.BaseUrl}/{Convert.ToHexStringLower(hash)}.tar.gz", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(_cache.Path, "images", Convert.ToHexStringLower(hash))));
        AssertNoTemporaryLeft();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_server_that_stalls_runs_into_the_download_timeout(bool afterHeaders)
    {
        var (hash, body) = TestArchives.Standard();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new CancellationTokenSource();
        _server.Handler = async context =>
        {
            if (afterHeaders)
            {
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body.AsMemory(0, 10));
                await context.Response.Body.FlushAsync();
            }

            arrived.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(release.Token, context.RequestAborted).Token);
            }
            catch (OperationCanceledException)
            {
            }
        };
        var store = CreateStore(timeoutSeconds: 30);

        var download = store.GetAsync(hash, None);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(download.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => download);
        await release.CancelAsync();

        Assert.Equal("Download image timeout", ex.Message);
        AssertNoTemporaryLeft();
    }

    [Fact]
    public async Task A_listed_file_with_another_hash_fails_the_checksum_verification()
    {
        var files = TestArchives.StandardFiles();
        var manifest = OsImageBundleArchive.ChecksumFile(files);
        var tampered = files.Select(f => f.Name == "ovmf.fd" ? (f.Name, TestArchives.Fill(f.Content.Length, 0x01)) : f).ToList();
        var (hash, body) = TestArchives.WithManifest(manifest, tampered);
        _server.Serve(hash, body);

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore().GetAsync(hash, None));

        Assert.Equal("Checksum verification failed: ovmf.fd", ex.Message);
        AssertNotCached(hash);
    }

    [Fact]
    public async Task A_listed_file_missing_from_the_archive_fails_the_checksum_verification()
    {
        var files = TestArchives.StandardFiles();
        var (hash, body) = TestArchives.WithManifest(OsImageBundleArchive.ChecksumFile(files), files.Where(f => f.Name != "bzImage").ToList());
        _server.Serve(hash, body);

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore().GetAsync(hash, None));

        Assert.Equal("Checksum verification failed: bzImage not found", ex.Message);
        AssertNotCached(hash);
    }

    [Fact]
    public async Task A_bundle_whose_manifest_hashes_to_another_value_is_refused()
    {
        var (_, body) = TestArchives.Standard();
        var requested = SHA256.HashData("some other image"u8);
        _server.Serve(requested, body);

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore().GetAsync(requested, None));

        Assert.Equal("os_image_hash does not match sha256(sha256sum.txt)", ex.Message);
        AssertNotCached(requested);
    }

    [Theory]
    [InlineData("../x", "image archive contains unsafe path ../x")]
    [InlineData("a/../../x", "image archive contains unsafe path a/../../x")]
    [InlineData("/etc/x", "image archive contains unsafe path /etc/x")]
    public async Task An_entry_outside_the_extraction_directory_is_refused_before_anything_is_written(string name, string message)
    {
        var files = TestArchives.StandardFiles();
        var (hash, body) = TestArchives.WithManifest(OsImageBundleArchive.ChecksumFile(files), files, TarSpec.File(name, [9, 9]));
        _server.Serve(hash, body);

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore().GetAsync(hash, None));

        Assert.Equal(message, ex.Message);
        Assert.Empty(Directory.EnumerateFiles(_cache.Path, "x", SearchOption.AllDirectories));
        AssertNotCached(hash);
    }

    [Theory]
    [InlineData(TarEntryType.SymbolicLink)]
    [InlineData(TarEntryType.HardLink)]
    [InlineData(TarEntryType.Fifo)]
    public async Task Links_and_special_files_are_unsupported_entries(TarEntryType type)
    {
        var files = TestArchives.StandardFiles();
        var (hash, body) = TestArchives.WithManifest(
            OsImageBundleArchive.ChecksumFile(files), files, new TarSpec(type, "link", LinkName: type == TarEntryType.Fifo ? null : "/etc/passwd"));
        _server.Serve(hash, body);

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore().GetAsync(hash, None));

        Assert.Equal("image archive contains unsupported entry link", ex.Message);
        AssertNotCached(hash);
    }

    [Fact]
    public async Task A_bundle_without_the_measurement_file_listed_is_refused()
    {
        var files = TestArchives.StandardFiles().Where(f => f.Name != OsImageBundleStore.MeasurementFileName).ToList();
        var (hash, body) = TestArchives.Build(files);
        _server.Serve(hash, body);

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore().GetAsync(hash, None));

        Assert.Equal("measurement.tdx.cbor is not listed in sha256sum.txt", ex.Message);
        AssertNotCached(hash);
    }

    [Fact]
    public async Task A_listed_measurement_file_missing_from_the_archive_is_refused()
    {
        var files = TestArchives.StandardFiles();
        var present = files.Where(f => f.Name != OsImageBundleStore.MeasurementFileName).ToList();
        var (hash, body) = TestArchives.WithManifest(OsImageBundleArchive.ChecksumFile(files), present);
        _server.Serve(hash, body);

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore().GetAsync(hash, None));

        Assert.Equal("measurement.tdx.cbor not found in the extracted archive", ex.Message);
        AssertNotCached(hash);
    }

    [Fact]
    public async Task A_manifest_breaking_the_legacy_rules_is_refused()
    {
        var files = TestArchives.StandardFiles();
        var manifest = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(OsImageBundleArchive.ChecksumFile(files)) + new string('0', 64) + "  sha256sum.txt\n");
        var (hash, body) = TestArchives.WithManifest(manifest, files);
        _server.Serve(hash, body);

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore().GetAsync(hash, None));

        Assert.Equal("image manifest must not recursively list sha256sum.txt", ex.Message);
        AssertNotCached(hash);
    }

    [Fact]
    public async Task Every_concatenated_gzip_member_is_unpacked()
    {
        var (hash, body) = TestArchives.Standard();
        var tar = TestArchives.Gunzip(body);
        var cuts = new[] { 0, 700, 5000, tar.Length };
        var multi = cuts.Zip(cuts.Skip(1)).SelectMany(c => TestArchives.Gzip(tar[c.First..c.Second])).ToArray();
        Assert.NotEqual(body, multi);
        _server.Serve(hash, multi);

        var bundle = await CreateStore().GetAsync(hash, None);

        Assert.Equal(TestArchives.Measurement, bundle.Material.Measurement);
        Assert.Equal(TestArchives.StandardFiles()[1].Content, await File.ReadAllBytesAsync(Path.Combine(bundle.Directory, "bzImage")));
    }

    [Fact]
    public async Task A_body_that_is_not_gzip_is_refused()
    {
        var hash = SHA256.HashData("x"u8);
        _server.Serve(hash, Encoding.ASCII.GetBytes("<html>not found</html>"));

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore().GetAsync(hash, None));

        Assert.StartsWith("image archive is not a valid tar.gz: ", ex.Message, StringComparison.Ordinal);
        AssertNotCached(hash);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_truncated_archive_is_refused(bool truncateTheTar)
    {
        var (hash, body) = TestArchives.Standard();
        var tar = TestArchives.Gunzip(body);
        // either a complete gzip of half a tar (cut inside bzImage's data), or half of the gzip stream itself
        _server.Serve(hash, truncateTheTar ? TestArchives.Gzip(tar[..(tar.Length / 2)]) : body[..(body.Length / 2)]);

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore().GetAsync(hash, None));

        Assert.StartsWith("image archive is not a valid tar.gz: ", ex.Message, StringComparison.Ordinal);
        AssertNotCached(hash);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_download_larger_than_the_cap_is_refused(bool withContentLength)
    {
        var (hash, body) = TestArchives.Standard();
        _server.Handler = async context =>
        {
            if (withContentLength)
            {
                context.Response.ContentLength = body.Length;
            }

            await context.Response.Body.WriteAsync(body);
        };

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore(maxDownloadBytes: body.Length - 1).GetAsync(hash, None));

        Assert.Equal($"Failed to download image: the archive is larger than {body.Length - 1} bytes, url: {_server.BaseUrl}/{Convert.ToHexStringLower(hash)}.tar.gz", ex.Message);
        AssertNotCached(hash);
    }

    [Fact]
    public async Task An_archive_unpacking_beyond_the_cap_is_refused()
    {
        var (hash, body) = TestArchives.Standard();
        _server.Serve(hash, body);
        var total = TestArchives.StandardFiles().Sum(f => (long)f.Content.Length) + OsImageBundleArchive.ChecksumFile(TestArchives.StandardFiles()).Length;

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore(maxExtractedBytes: total - 1).GetAsync(hash, None));

        Assert.Equal($"image archive unpacks to more than {total - 1} bytes", ex.Message);
        await CreateStore(maxExtractedBytes: total).GetAsync(hash, None);
    }

    [Fact]
    public async Task Concurrent_requests_for_one_hash_download_once_and_other_hashes_in_parallel()
    {
        var (hashA, bodyA) = TestArchives.Standard();
        var filesB = TestArchives.StandardFiles().Append(("initramfs.cpio.gz", TestArchives.Fill(300, 3))).ToList();
        var (hashB, bodyB) = TestArchives.Build(filesB);
        var arrivedA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrivedB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Handler = async context =>
        {
            var isA = context.Request.Path == BundleServer.PathFor(hashA);
            (isA ? arrivedA : arrivedB).TrySetResult();
            await release.Task;
            var body = isA ? bodyA : bodyB;
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        };
        var store = CreateStore();

        var forA = Enumerable.Range(0, 8).Select(_ => store.GetAsync(hashA, None)).ToList();
        var forB = store.GetAsync(hashB, None);
        // both downloads are in flight at once: B does not wait behind A
        await Task.WhenAll(arrivedA.Task, arrivedB.Task).WaitAsync(TimeSpan.FromSeconds(60));
        release.SetResult();
        var resultsA = await Task.WhenAll(forA);
        var resultB = await forB;

        Assert.Equal(1, _server.Requests(hashA));
        Assert.Equal(1, _server.Requests(hashB));
        Assert.All(resultsA, r => Assert.Equal(TestArchives.Measurement, r.Material.Measurement));
        Assert.All(resultsA, r => Assert.Equal(hashA, SHA256.HashData(r.Material.ChecksumFile)));
        Assert.Equal(hashB, SHA256.HashData(resultB.Material.ChecksumFile));
        AssertNoTemporaryLeft();
    }

    [Fact]
    public async Task A_cancelled_request_leaves_no_temporary_files_and_a_later_one_succeeds()
    {
        var (hash, body) = TestArchives.Standard();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Handler = async context =>
        {
            arrived.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        };
        var store = CreateStore();
        using var cancel = new CancellationTokenSource();

        var download = store.GetAsync(hash, cancel.Token);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download);
        AssertNoTemporaryLeft();
        _server.Handler = null;
        _server.Serve(hash, body);
        Assert.Equal(TestArchives.Measurement, (await store.GetAsync(hash, None)).Material.Measurement);
    }

    [Fact]
    public async Task Downloads_cache_hits_corrupt_entries_and_failures_are_logged()
    {
        var (hash, body) = TestArchives.Standard();
        _server.Serve(hash, body);
        var logger = new CapturingLogger();
        var store = CreateStore(logger: logger);
        var hex = Convert.ToHexStringLower(hash);
        var entry = Path.Combine(_cache.Path, "images", hex);
        var url = $"{_server.BaseUrl}/{hex}.tar.gz";

        await store.GetAsync(hash, None);
        await store.GetAsync(hash, None);
        FlipByte(Path.Combine(entry, "bzImage"), 7);
        await store.GetAsync(hash, None);
        var absent = SHA256.HashData("absent"u8);
        await Assert.ThrowsAsync<OsImageBundleException>(() => store.GetAsync(absent, None));

        Assert.Equal([81, 82, 80, 83, 81, 82, 81, 84], logger.Entries.Select(e => e.EventId));
        Assert.Equal($"OS image {hex}: downloading {url}", logger.Entries[0].Message);
        Assert.Equal($"OS image {hex}: downloaded {body.Length} bytes in 0 ms, verified and cached in {entry}", logger.Entries[1].Message);
        Assert.Equal($"OS image {hex}: using the cached bundle in {entry}", logger.Entries[2].Message);
        Assert.Equal(LogLevel.Warning, logger.Entries[3].Level);
        Assert.Equal($"OS image {hex}: the cached bundle in {entry} is corrupt (Checksum verification failed: bzImage); deleted, downloading it again", logger.Entries[3].Message);
        Assert.Equal($"OS image {Convert.ToHexStringLower(absent)}: Failed to download image: HTTP status 404, url: {_server.BaseUrl}/{Convert.ToHexStringLower(absent)}.tar.gz", logger.Last(84));
    }

    [Fact]
    public async Task A_redirect_within_the_scheme_is_followed()
    {
        var (hash, body) = TestArchives.Standard();
        _server.Handler = async context =>
        {
            if (context.Request.Path == BundleServer.PathFor(hash))
            {
                context.Response.Redirect("/mirror/bundle.tar.gz");
                return;
            }

            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        };

        var bundle = await CreateStore().GetAsync(hash, None);

        Assert.Equal(TestArchives.Measurement, bundle.Material.Measurement);
        Assert.Equal(2, _server.TotalRequests);
    }

    [Fact]
    public async Task A_redirect_to_another_scheme_is_refused()
    {
        var (hash, body) = TestArchives.Standard();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        await using var https = await BundleServer.StartAsync(certificate);
        https.Serve(hash, body);
        _server.Handler = context =>
        {
            context.Response.Redirect(https.BaseUrl + BundleServer.PathFor(hash));
            return Task.CompletedTask;
        };
        using var trusting = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString() },
        });
        var store = new OsImageBundleStore(
            new ImageOptions { CacheDirectory = _cache.Path, DownloadUrl = _server.UrlTemplate }, trusting, _time, NullLogger.Instance);

        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => store.GetAsync(hash, None));

        Assert.Equal($"Failed to download image: redirected from http to https, url: {_server.BaseUrl}{BundleServer.PathFor(hash)}", ex.Message);
        Assert.Equal(1, https.Requests(hash));
        AssertNotCached(hash);
    }

    [Fact]
    public async Task Leftovers_of_a_crashed_download_older_than_a_day_are_removed_by_the_next_download()
    {
        var (hash, body) = TestArchives.Standard();
        _server.Serve(hash, body);
        var temp = Path.Combine(_cache.Path, "images", "tmp");
        var stale = Directory.CreateDirectory(Path.Combine(temp, "tmp-download-crashed", "extracted")).Parent!.FullName;
        var recent = Directory.CreateDirectory(Path.Combine(temp, "tmp-download-running")).FullName;
        var other = Directory.CreateDirectory(Path.Combine(temp, "unrelated")).FullName;
        var now = _time.GetUtcNow().UtcDateTime;
        Directory.SetLastWriteTimeUtc(stale, now - TimeSpan.FromHours(25));
        Directory.SetLastWriteTimeUtc(recent, now - TimeSpan.FromHours(23));
        Directory.SetLastWriteTimeUtc(other, now - TimeSpan.FromDays(30));

        await CreateStore().GetAsync(hash, None);

        Assert.False(Directory.Exists(stale));
        Assert.True(Directory.Exists(recent));
        Assert.True(Directory.Exists(other));
    }

    [Fact]
    public async Task A_hash_of_the_wrong_length_is_refused_without_a_request()
    {
        var ex = await Assert.ThrowsAsync<OsImageBundleException>(() => CreateStore().GetAsync(new byte[31], None));

        Assert.Equal("os_image_hash must be 32 bytes, got 31", ex.Message);
        Assert.Equal(0, _server.TotalRequests);
    }

    [Fact]
    public void Invalid_options_are_refused_by_the_constructor()
    {
        var ex = Assert.Throws<ArgumentException>(() => new OsImageBundleStore(
            new ImageOptions { CacheDirectory = _cache.Path, DownloadUrl = "ftp://x/{OS_IMAGE_HASH}", DownloadTimeoutSeconds = 0 }, _http, _time, NullLogger.Instance));

        Assert.Contains("Image:DownloadUrl must be an absolute http(s) URL, got 'ftp://x/{OS_IMAGE_HASH}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Image:DownloadTimeoutSeconds must be in 1..3600, got 0", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new OsImageBundleStore(new ImageOptions { Verify = false }, _http, _time, NullLogger.Instance));
    }

    private OsImageBundleStore CreateStore(
        int timeoutSeconds = 120,
        long maxDownloadBytes = OsImageBundleStore.DefaultMaxDownloadBytes,
        long maxExtractedBytes = OsImageBundleStore.DefaultMaxExtractedBytes,
        ILogger? logger = null) =>
        new(
            new ImageOptions { CacheDirectory = _cache.Path, DownloadUrl = _server.UrlTemplate, DownloadTimeoutSeconds = timeoutSeconds },
            _http,
            _time,
            logger ?? NullLogger.Instance,
            maxDownloadBytes,
            maxExtractedBytes);

    private void AssertNoTemporaryLeft()
    {
        var temp = Path.Combine(_cache.Path, "images", "tmp");
        Assert.True(!Directory.Exists(temp) || !Directory.EnumerateFileSystemEntries(temp).Any(), "temporary download directories were left behind");
    }

    private void AssertNotCached(byte[] hash)
    {
        Assert.False(Directory.Exists(Path.Combine(_cache.Path, "images", Convert.ToHexStringLower(hash))));
        AssertNoTemporaryLeft();
    }

    private static void FlipByte(string path, int offset)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }
}
