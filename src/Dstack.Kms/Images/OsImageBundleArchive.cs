using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Dstack.Attestation.OsImage;

namespace Dstack.Kms.Images;

/// <summary>
/// Writes OS-image bundles in the shape <see cref="OsImageBundleStore"/> downloads: a gzip-compressed tar holding
/// <c>sha256sum.txt</c> (generated: <c>&lt;hex sha256&gt;␠␠&lt;name&gt;\n</c> per file, in the given order) and the
/// files. Used to serve simulated bundles and by tests.
/// </summary>
public static class OsImageBundleArchive
{
    /// <summary>The generated manifest's file name.</summary>
    public const string ChecksumFileName = Sha256SumFile.FileName;

    private const UnixFileMode FileMode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>The <c>sha256sum.txt</c> bytes listing <paramref name="files"/> in order.</summary>
    /// <param name="files">Bare file names (not <c>sha256sum.txt</c>, each once) and their contents.</param>
    /// <exception cref="ArgumentException">A name is not a bare file name, is <c>sha256sum.txt</c>, or repeats.</exception>
    public static byte[] ChecksumFile(IReadOnlyList<(string Name, byte[] Content)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var (name, content) in files)
        {
            ArgumentNullException.ThrowIfNull(content);
            if (string.IsNullOrEmpty(name) || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0', ' ', '\t', '\r', '\n']) >= 0)
            {
                throw new ArgumentException($"'{name}' is not a bare file name (no path separators, no whitespace)", nameof(files));
            }

            if (name == ChecksumFileName)
            {
                throw new ArgumentException($"{ChecksumFileName} is generated, do not pass it", nameof(files));
            }

            if (!names.Add(name))
            {
                throw new ArgumentException($"{name} is listed twice", nameof(files));
            }

            text.Append(Convert.ToHexStringLower(SHA256.HashData(content))).Append("  ").Append(name).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>
    /// Writes the bundle of <paramref name="files"/> to <paramref name="output"/> (left open) and returns its
    /// <c>os_image_hash</c>, the SHA-256 of the generated <c>sha256sum.txt</c>.
    /// </summary>
    /// <param name="output">Receives the tar.gz.</param>
    /// <param name="files">Bare file names (not <c>sha256sum.txt</c>, each once) and their contents.</param>
    /// <exception cref="ArgumentException">A name is not a bare file name, is <c>sha256sum.txt</c>, or repeats.</exception>
    public static byte[] Write(Stream output, IReadOnlyList<(string Name, byte[] Content)> files)
    {
        ArgumentNullException.ThrowIfNull(output);
        var checksumFile = ChecksumFile(files);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar, leaveOpen: true))
        {
            WriteEntry(tar, ChecksumFileName, checksumFile);
            foreach (var (name, content) in files)
            {
                WriteEntry(tar, name, content);
            }
        }

        return SHA256.HashData(checksumFile);
    }

    private static void WriteEntry(TarWriter tar, string name, byte[] content)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = FileMode644,
            ModificationTime = DateTimeOffset.UnixEpoch,
            DataStream = new MemoryStream(content, writable: false),
        };
        tar.WriteEntry(entry);
    }
}
