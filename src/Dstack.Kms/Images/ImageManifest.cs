using System.Text;

namespace Dstack.Kms.Images;

/// <summary>
/// A bundle's <c>sha256sum.txt</c> under the legacy manifest rules (os-image-verification.md §1.2): blank lines skipped,
/// every other line exactly <c>&lt;64 hex&gt; &lt;bare file name&gt;</c>, never listing <c>sha256sum.txt</c> itself.
/// </summary>
internal sealed class ImageManifest
{
    /// <summary>The manifest's own file name.</summary>
    public const string FileName = "sha256sum.txt";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ImageManifest(IReadOnlyList<ImageManifestEntry> entries) => Entries = entries;

    /// <summary>The listed files, in manifest order, each name once.</summary>
    public IReadOnlyList<ImageManifestEntry> Entries { get; }

    /// <summary>The entry for <paramref name="name"/>, or null when the manifest does not list it.</summary>
    public ImageManifestEntry? Find(string name)
    {
        foreach (var entry in Entries)
        {
            if (entry.Name == name)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Parses and validates <paramref name="content"/>.</summary>
    /// <exception cref="OsImageBundleException">The manifest breaks a rule; the message says which line and why.</exception>
    public static ImageManifest Parse(ReadOnlySpan<byte> content)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException ex)
        {
            throw new OsImageBundleException($"{FileName} is not valid UTF-8: {ex.Message}", ex);
        }

        var entries = new List<ImageManifestEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var fields = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (fields.Length == 1)
            {
                throw new OsImageBundleException($"image manifest line {number} is missing the file name");
            }

            if (fields.Length > 2)
            {
                throw new OsImageBundleException($"image manifest line {number} has extra fields");
            }

            var name = fields[1];
            if (!IsBareFileName(name))
            {
                throw new OsImageBundleException($"image manifest line {number} has an unsafe path");
            }

            if (name == FileName)
            {
                throw new OsImageBundleException($"image manifest must not recursively list {FileName}");
            }

            if (fields[0].Length != 64 || !IsHex(fields[0]))
            {
                throw new OsImageBundleException($"image manifest line {number} has an invalid sha256 (64 hex digits expected)");
            }

            if (!names.Add(name))
            {
                throw new OsImageBundleException($"image manifest lists {name} more than once");
            }

            entries.Add(new ImageManifestEntry(name, Convert.FromHexString(fields[0])));
        }

        return new ImageManifest(entries);
    }

    private static bool IsBareFileName(string name) =>
        name is not ("." or "..") && name.IndexOfAny(['/', '\0']) < 0;

    private static bool IsHex(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
