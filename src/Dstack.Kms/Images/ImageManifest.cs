using Dstack.Attestation.OsImage;

namespace Dstack.Kms.Images;

/// <summary>
/// A downloaded bundle's <c>sha256sum.txt</c>: the legacy manifest rules of <see cref="Sha256SumFile.ValidateManifest"/>
/// (os-image-verification.md §1.2), plus what the store needs before hashing files: every digest 64 hex digits and
/// every name listed once.
/// </summary>
internal sealed class ImageManifest
{
    /// <summary>The manifest's own file name.</summary>
    public const string FileName = Sha256SumFile.FileName;

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
    /// <exception cref="OsImageBundleException">The manifest breaks a rule; the message says which line or name and why.</exception>
    public static ImageManifest Parse(ReadOnlySpan<byte> content)
    {
        IReadOnlyList<KeyValuePair<string, string>> lines;
        try
        {
            lines = Sha256SumFile.ValidateManifest(content);
        }
        catch (OsImageException ex)
        {
            throw new OsImageBundleException(ex.Message, ex);
        }

        var entries = new List<ImageManifestEntry>(lines.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, hex) in lines)
        {
            if (hex.Length != 64 || !IsHex(hex))
            {
                throw new OsImageBundleException($"image manifest lists an invalid sha256 for {name} (64 hex digits expected)");
            }

            if (!names.Add(name))
            {
                throw new OsImageBundleException($"image manifest lists {name} more than once");
            }

            entries.Add(new ImageManifestEntry(name, Convert.FromHexString(hex)));
        }

        return new ImageManifest(entries);
    }

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
