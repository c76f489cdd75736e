using System.Formats.Tar;
using System.IO.Compression;

namespace Dstack.Kms.Images;

/// <summary>
/// Unpacks a downloaded bundle (os-image-verification.md §4.1 step 2): gunzip of every concatenated gzip member, then
/// tar. Only regular files and directories are accepted, at relative paths made of normal (or <c>.</c>) components;
/// nothing is ever written outside the target directory, and sizes and entry counts are capped.
/// </summary>
internal static class ImageArchiveExtractor
{
    /// <summary>Most tar entries accepted in one bundle.</summary>
    public const int MaxEntries = 4096;

    private const UnixFileMode FileMode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Extracts <paramref name="archivePath"/> into the existing, empty <paramref name="targetDirectory"/>.</summary>
    /// <param name="archivePath">The gzip-compressed tar.</param>
    /// <param name="targetDirectory">Where the entries go.</param>
    /// <param name="maxExtractedBytes">Cap on the sum of the file sizes in the archive.</param>
    /// <param name="cancellationToken">Cancels the extraction.</param>
    /// <exception cref="OsImageBundleException">The archive is malformed, holds an unsupported entry or an unsafe path, or is too large.</exception>
    public static async Task ExtractAsync(string archivePath, string targetDirectory, long maxExtractedBytes, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(targetDirectory);
        var files = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        var count = 0;
        var input = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using (input.ConfigureAwait(false))
        {
            var gzip = new GZipStream(input, CompressionMode.Decompress);
            await using (gzip.ConfigureAwait(false))
            {
                var reader = new TarReader(gzip);
                await using (reader.ConfigureAwait(false))
                {
                    while (true)
                    {
                        TarEntry? entry;
                        try
                        {
                            entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
                        {
                            throw new OsImageBundleException($"image archive is not a valid tar.gz: {ex.Message}", ex);
                        }

                        if (entry is null)
                        {
                            break;
                        }

                        if (++count > MaxEntries)
                        {
                            throw new OsImageBundleException($"image archive has more than {MaxEntries} entries");
                        }

                        total += entry.Length;
                        if (total > maxExtractedBytes)
                        {
                            throw new OsImageBundleException($"image archive unpacks to more than {maxExtractedBytes} bytes");
                        }

                        await ExtractEntryAsync(entry, root, files, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    private static async Task ExtractEntryAsync(TarEntry entry, string root, HashSet<string> files, CancellationToken cancellationToken)
    {
        // a pax global header only carries attributes for the entries that follow; there is nothing to unpack
        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
        {
            return;
        }

        var isFile = entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile;
        if (!isFile && entry.EntryType != TarEntryType.Directory)
        {
            throw new OsImageBundleException($"image archive contains unsupported entry {entry.Name}");
        }

        var relative = SafeRelativePath(entry.Name)
            ?? throw new OsImageBundleException($"image archive contains unsafe path {entry.Name}");
        if (relative.Length == 0)
        {
            if (isFile)
            {
                throw new OsImageBundleException($"image archive contains unsafe path {entry.Name}");
            }

            return; // "." or "./": the root itself
        }

        var path = Path.Combine(root, relative);
        try
        {
            if (!isFile)
            {
                Directory.CreateDirectory(path);
                return;
            }

            if (!files.Add(relative))
            {
                throw new OsImageBundleException($"image archive contains {entry.Name} more than once");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.Asynchronous };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileMode644;
            }

            var output = new FileStream(path, options);
            await using (output.ConfigureAwait(false))
            {
                if (entry.DataStream is { } data)
                {
                    await data.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                }

                output.Flush(flushToDisk: true);
            }
        }
        catch (IOException ex)
        {
            // e.g. a file and a directory at the same path, or a truncated archive
            throw new OsImageBundleException($"image archive cannot be unpacked at {entry.Name}: {ex.Message}", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new OsImageBundleException($"image archive is not a valid tar.gz: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The entry path as '/'-joined normal components ("" for the root), or null if it is absolute or has a
    /// <c>..</c> component. Empty components (<c>a//b</c>, a trailing '/') and <c>.</c> are dropped.
    /// </summary>
    internal static string? SafeRelativePath(string name)
    {
        if (name.Length == 0 || name[0] == '/' || name.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                return null;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }
}
