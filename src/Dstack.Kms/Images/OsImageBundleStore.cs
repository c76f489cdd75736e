using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Storage;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Images;

/// <summary>
/// Obtains the OS-image bundle named by an <c>os_image_hash</c> (os-image-verification.md §4.1): from the on-disk
/// cache <c>&lt;cache&gt;/images/&lt;hex&gt;/</c> when the entry still verifies, else by downloading
/// <see cref="ImageOptions.DownloadUrl"/>, unpacking it in <c>images/tmp/tmp-download-*/</c>, checking
/// <c>sha256sum.txt</c> and every file it lists, binding <c>S256(sha256sum.txt)</c> to the hash, and renaming the
/// result into the cache in one step. A corrupt cache entry is deleted and fetched again, never used. Concurrent
/// requests for one hash download once; different hashes proceed in parallel.
/// </summary>
internal sealed class OsImageBundleStore
{
    /// <summary>The bundle file whose measurements the lite computation uses.</summary>
    public const string MeasurementFileName = OsImageMaterial.MeasurementFileName;

    /// <summary>Default cap on the downloaded (compressed) archive.</summary>
    public const long DefaultMaxDownloadBytes = 512L * 1024 * 1024;

    /// <summary>Default cap on the sum of the unpacked file sizes.</summary>
    public const long DefaultMaxExtractedBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>Cap on <c>sha256sum.txt</c> and <c>measurement.tdx.cbor</c>, which are read into memory.</summary>
    public const int MaxSmallFileBytes = 1024 * 1024;

    /// <summary>Age after which a <c>tmp-download-*</c> directory is taken for the leftover of a crashed process.</summary>
    public static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromHours(24);

    private const int CopyBufferBytes = 81920;
    private const string TemporaryPrefix = "tmp-download-";

    private static readonly ProductInfoHeaderValue UserAgent = new("dstack-kms", typeof(OsImageBundleStore).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    private readonly ImageOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _imagesDirectory;
    private readonly string _tempDirectory;
    private readonly TimeSpan _timeout;
    private readonly long _maxDownloadBytes;
    private readonly long _maxExtractedBytes;
    private readonly Dictionary<string, HashGate> _gates = new(StringComparer.Ordinal);

    /// <summary>Creates a store over <paramref name="options"/> (checked with <see cref="ImageOptionsValidation.Check"/>).</summary>
    /// <param name="options">Download URL, cache directory and timeout.</param>
    /// <param name="http">The client used for downloads; its own timeout should be infinite (see <see cref="CreateHttpClient"/>).</param>
    /// <param name="timeProvider">Clock for the download timeout and the logged durations.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="maxDownloadBytes">Cap on the downloaded archive.</param>
    /// <param name="maxExtractedBytes">Cap on the unpacked file sizes.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public OsImageBundleStore(
        ImageOptions options,
        HttpClient http,
        TimeProvider timeProvider,
        ILogger logger,
        long maxDownloadBytes = DefaultMaxDownloadBytes,
        long maxExtractedBytes = DefaultMaxExtractedBytes)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDownloadBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExtractedBytes);
        var errors = new List<string>();
        ImageOptionsValidation.Check(errors, options);
        if (string.IsNullOrWhiteSpace(options.CacheDirectory) && errors.Count == 0)
        {
            errors.Add("Image:CacheDirectory is required");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _http = http;
        _timeProvider = timeProvider;
        _logger = logger;
        _imagesDirectory = Path.Combine(Path.GetFullPath(options.CacheDirectory!), "images");
        _tempDirectory = Path.Combine(_imagesDirectory, "tmp");
        _timeout = TimeSpan.FromSeconds(options.DownloadTimeoutSeconds);
        _maxDownloadBytes = maxDownloadBytes;
        _maxExtractedBytes = maxExtractedBytes;
    }

    /// <summary>
    /// A client suited to bundle downloads: no client-side timeout (the store applies
    /// <see cref="ImageOptions.DownloadTimeoutSeconds"/>), no transparent decompression, at most 5 redirects.
    /// </summary>
    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>The cache entry directory of the bundle with hash <paramref name="osImageHashHex"/> (lowercase hex).</summary>
    public string EntryDirectory(string osImageHashHex) => Path.Combine(_imagesDirectory, osImageHashHex);

    /// <summary>Returns the verified bundle of <paramref name="osImageHash"/>, from the cache or freshly downloaded.</summary>
    /// <param name="osImageHash">The 32-byte <c>os_image_hash</c> (= SHA-256 of the bundle's <c>sha256sum.txt</c>).</param>
    /// <param name="cancellationToken">Cancels waiting, the download and the checks.</param>
    /// <exception cref="OsImageBundleException">The bundle cannot be obtained or does not verify; the message says why.</exception>
    public async Task<OsImageBundle> GetAsync(ReadOnlyMemory<byte> osImageHash, CancellationToken cancellationToken)
    {
        if (osImageHash.Length != 32)
        {
            throw new OsImageBundleException($"os_image_hash must be 32 bytes, got {osImageHash.Length}");
        }

        var hash = osImageHash.ToArray();
        var hex = Convert.ToHexStringLower(hash);
        var gate = EnterGate(hex);
        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await GetExclusiveAsync(hash, hex, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Semaphore.Release();
            }
        }
        finally
        {
            LeaveGate(hex, gate);
        }
    }

    private async Task<OsImageBundle> GetExclusiveAsync(byte[] hash, string hex, CancellationToken cancellationToken)
    {
        var entry = EntryDirectory(hex);
        try
        {
            var cached = await TryLoadCachedAsync(hash, hex, entry, cancellationToken).ConfigureAwait(false);
            if (cached is not null)
            {
                ImageLog.CacheHit(_logger, hex, entry);
                return cached;
            }

            return await DownloadAndInstallAsync(hash, hex, entry, cancellationToken).ConfigureAwait(false);
        }
        catch (OsImageBundleException ex)
        {
            ImageLog.Failed(_logger, hex, ex.Message);
            throw;
        }
    }

    /// <summary>The cached bundle if its entry exists and re-verifies; a corrupt entry is deleted and null returned.</summary>
    private async Task<OsImageBundle?> TryLoadCachedAsync(byte[] hash, string hex, string entry, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(entry))
        {
            if (File.Exists(entry))
            {
                ImageLog.CorruptCacheEntry(_logger, hex, entry, "not a directory");
                DeleteCorruptEntry(entry, isDirectory: false);
            }

            return null;
        }

        try
        {
            return await LoadVerifiedAsync(hash, entry, entry, pruneUnlisted: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OsImageBundleException or IOException or UnauthorizedAccessException)
        {
            ImageLog.CorruptCacheEntry(_logger, hex, entry, ex.Message);
            DeleteCorruptEntry(entry, isDirectory: true);
            return null;
        }
    }

    private static void DeleteCorruptEntry(string entry, bool isDirectory)
    {
        try
        {
            if (isDirectory)
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OsImageBundleException($"OS image cache entry {Path.GetFileName(entry)} is corrupt and cannot be deleted: {ex.Message}", ex);
        }
    }

    private async Task<OsImageBundle> DownloadAndInstallAsync(byte[] hash, string hex, string entry, CancellationToken cancellationToken)
    {
        string work;
        try
        {
            Directory.CreateDirectory(_tempDirectory);
            DeleteStaleTemporaryDirectories();
            work = Path.Combine(_tempDirectory, TemporaryPrefix + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(work);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OsImageBundleException($"OS image cache is not writable: {ex.Message}", ex);
        }

        try
        {
            var url = _options.UrlFor(hex);
            ImageLog.DownloadStarted(_logger, hex, url);
            var started = _timeProvider.GetTimestamp();
            var archive = Path.Combine(work, "image.tar.gz");
            var bytes = await DownloadAsync(url, archive, cancellationToken).ConfigureAwait(false);
            var extracted = Path.Combine(work, "extracted");
            Directory.CreateDirectory(extracted);
            await ImageArchiveExtractor.ExtractAsync(archive, extracted, _maxExtractedBytes, cancellationToken).ConfigureAwait(false);
            var bundle = await LoadVerifiedAsync(hash, extracted, entry, pruneUnlisted: true, cancellationToken).ConfigureAwait(false);
            bundle = await InstallAsync(hash, extracted, entry, bundle, cancellationToken).ConfigureAwait(false);
            var elapsedMs = (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds;
            ImageLog.DownloadFinished(_logger, hex, bytes, elapsedMs, entry);
            return bundle;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OsImageBundleException($"OS image cache error: {ex.Message}", ex);
        }
        finally
        {
            TryDeleteDirectory(work);
        }
    }

    /// <summary>Renames the verified <paramref name="extracted"/> directory onto <paramref name="entry"/> in one step.</summary>
    private async Task<OsImageBundle> InstallAsync(byte[] hash, string extracted, string entry, OsImageBundle bundle, CancellationToken cancellationToken)
    {
        SecureFile.SyncDirectory(extracted);
        try
        {
            Directory.Move(extracted, entry);
        }
        catch (IOException) when (Directory.Exists(entry))
        {
            // another process installed the same hash meanwhile: keep that entry if it verifies
            try
            {
                return await LoadVerifiedAsync(hash, entry, entry, pruneUnlisted: false, cancellationToken).ConfigureAwait(false);
            }
            catch (OsImageBundleException ex)
            {
                throw new OsImageBundleException($"OS image cache entry {Path.GetFileName(entry)} appeared during the download and is corrupt: {ex.Message}", ex);
            }
        }

        SecureFile.SyncDirectory(_imagesDirectory);
        return bundle;
    }

    /// <summary>Streams <paramref name="url"/> into <paramref name="target"/> within the timeout and size cap.</summary>
    private async Task<long> DownloadAsync(string url, string target, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new OsImageBundleException($"Failed to download image: invalid URL, url: {url}");
        }

        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.UserAgent.Add(UserAgent);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new OsImageBundleException($"Failed to download image: HTTP status {(int)response.StatusCode}, url: {url}");
            }

            if (response.RequestMessage?.RequestUri is { } final && final.Scheme != uri.Scheme)
            {
                throw new OsImageBundleException($"Failed to download image: redirected from {uri.Scheme} to {final.Scheme}, url: {url}");
            }

            if (response.Content.Headers.ContentLength > _maxDownloadBytes)
            {
                throw TooLarge(url);
            }

            var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferBytes, useAsync: true);
            await using (output.ConfigureAwait(false))
            {
                var input = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
                await using (input.ConfigureAwait(false))
                {
                    var buffer = new byte[CopyBufferBytes];
                    long total = 0;
                    int read;
                    while ((read = await input.ReadAsync(buffer, linked.Token).ConfigureAwait(false)) > 0)
                    {
                        total += read;
                        if (total > _maxDownloadBytes)
                        {
                            throw TooLarge(url);
                        }

                        await output.WriteAsync(buffer.AsMemory(0, read), linked.Token).ConfigureAwait(false);
                    }

                    return total;
                }
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // our timeout, or the HttpClient's own
            throw new OsImageBundleException("Download image timeout", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new OsImageBundleException($"Failed to download image: {ex.Message}, url: {url}", ex);
        }
        catch (IOException ex)
        {
            throw new OsImageBundleException($"Failed to download image: {ex.Message}, url: {url}", ex);
        }
    }

    private OsImageBundleException TooLarge(string url) =>
        new($"Failed to download image: the archive is larger than {_maxDownloadBytes} bytes, url: {url}");

    /// <summary>
    /// Checks the bundle in <paramref name="directory"/>: <c>S256(sha256sum.txt)</c> = <paramref name="hash"/>, the
    /// manifest rules, <c>measurement.tdx.cbor</c> listed and present, every listed file's SHA-256. With
    /// <paramref name="pruneUnlisted"/> the top-level entries the manifest does not list are deleted.
    /// </summary>
    private static async Task<OsImageBundle> LoadVerifiedAsync(byte[] hash, string directory, string resultDirectory, bool pruneUnlisted, CancellationToken cancellationToken)
    {
        var checksumFile = await ReadSmallFileAsync(directory, ImageManifest.FileName, cancellationToken).ConfigureAwait(false);
        if (!SHA256.HashData(checksumFile).AsSpan().SequenceEqual(hash))
        {
            throw new OsImageBundleException("os_image_hash does not match sha256(sha256sum.txt)");
        }

        var manifest = ImageManifest.Parse(checksumFile);
        var measurementEntry = manifest.Find(MeasurementFileName)
            ?? throw new OsImageBundleException($"{MeasurementFileName} is not listed in {ImageManifest.FileName}");
        if (!File.Exists(Path.Combine(directory, MeasurementFileName)))
        {
            throw new OsImageBundleException($"{MeasurementFileName} not found in the extracted archive");
        }

        foreach (var listed in manifest.Entries)
        {
            await VerifyFileAsync(directory, listed, cancellationToken).ConfigureAwait(false);
        }

        if (pruneUnlisted)
        {
            PruneUnlisted(directory, manifest);
        }

        // the bytes handed out are hashed again, so a change after the check above cannot slip through
        var measurement = await ReadSmallFileAsync(directory, MeasurementFileName, cancellationToken).ConfigureAwait(false);
        if (!SHA256.HashData(measurement).AsSpan().SequenceEqual(measurementEntry.Sha256))
        {
            throw new OsImageBundleException($"Checksum verification failed: {MeasurementFileName}");
        }

        return new OsImageBundle(hash, new OsImageMaterial(checksumFile, measurement), resultDirectory);
    }

    private static async Task VerifyFileAsync(string directory, ImageManifestEntry listed, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, listed.Name);
        if (!File.Exists(path))
        {
            throw new OsImageBundleException($"Checksum verification failed: {listed.Name} not found");
        }

        byte[] actual;
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferBytes, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            actual = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        if (!actual.AsSpan().SequenceEqual(listed.Sha256))
        {
            throw new OsImageBundleException($"Checksum verification failed: {listed.Name}");
        }
    }

    private static void PruneUnlisted(string directory, ImageManifest manifest)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(directory).ToList())
        {
            var name = Path.GetFileName(path);
            if (name == ImageManifest.FileName || manifest.Find(name) is not null)
            {
                continue;
            }

            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
    }

    private static async Task<byte[]> ReadSmallFileAsync(string directory, string name, CancellationToken cancellationToken)
    {
        var info = new FileInfo(Path.Combine(directory, name));
        if (!info.Exists)
        {
            throw new OsImageBundleException($"{name} not found in the extracted archive");
        }

        if (info.Length > MaxSmallFileBytes)
        {
            throw new OsImageBundleException($"{name} is larger than {MaxSmallFileBytes} bytes");
        }

        return await File.ReadAllBytesAsync(info.FullName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes <c>tmp-download-*</c> directories older than <see cref="StaleTemporaryAge"/> (a crash's leftovers).</summary>
    private void DeleteStaleTemporaryDirectories()
    {
        var cutoff = _timeProvider.GetUtcNow().UtcDateTime - StaleTemporaryAge;
        foreach (var directory in Directory.EnumerateDirectories(_tempDirectory, TemporaryPrefix + "*"))
        {
            if (Directory.GetLastWriteTimeUtc(directory) < cutoff)
            {
                TryDeleteDirectory(directory);
            }
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // best effort: a leftover tmp-download-* directory is never read
        }
    }

    private HashGate EnterGate(string hex)
    {
        lock (_gates)
        {
            if (!_gates.TryGetValue(hex, out var gate))
            {
                gate = new HashGate();
                _gates.Add(hex, gate);
            }

            gate.Users++;
            return gate;
        }
    }

    private void LeaveGate(string hex, HashGate gate)
    {
        lock (_gates)
        {
            if (--gate.Users == 0)
            {
                _gates.Remove(hex);
                gate.Semaphore.Dispose();
            }
        }
    }

    /// <summary>The per-hash lock, counted so that it is dropped when nobody waits on it.</summary>
    private sealed class HashGate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }
}
