using System.Text;

namespace Dstack.Attestation.OsImage;

/// <summary>
/// Reads an image's <c>sha256sum.txt</c> (spec os-image-verification §1.2): <c>&lt;64 hex&gt;␠␠&lt;file&gt;\n</c> per
/// file. Entry lookup is the lenient lite reading; <see cref="ValidateManifest"/> is the strict legacy one.
/// </summary>
public static class Sha256SumFile
{
    /// <summary>The checksum file's own name, which a manifest must not list.</summary>
    public const string FileName = "sha256sum.txt";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The 32-byte SHA-256 listed for <paramref name="name"/>. Lines are split on LF (a CR before it is trimmed),
    /// trimmed, empty ones skipped, then split on whitespace into hash and path; extra tokens are ignored and other
    /// paths are not checked.
    /// </summary>
    /// <exception cref="OsImageException">Not UTF-8, a line without a file name, a duplicate, bad or short hash, or no entry.</exception>
    public static byte[] FindEntry(ReadOnlySpan<byte> file, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? found = null;
        foreach (var (lineNumber, tokens) in Lines(file))
        {
            if (tokens.Length < 2)
            {
                throw new OsImageException($"sha256sum.txt line {lineNumber} is missing filename");
            }

            if (tokens[1] != name)
            {
                continue;
            }

            if (found is not null)
            {
                throw new OsImageException($"sha256sum.txt contains duplicate {name} entries");
            }

            found = tokens[0];
        }

        if (found is null)
        {
            throw new OsImageException($"sha256sum.txt is missing {name}");
        }

        byte[] hash;
        try
        {
            hash = Convert.FromHexString(found);
        }
        catch (FormatException ex)
        {
            throw new OsImageException($"sha256sum.txt {name} hash is not valid hex: {ex.Message}", ex);
        }

        if (hash.Length != 32)
        {
            throw new OsImageException($"sha256sum.txt {name} hash has invalid length {hash.Length}, expected 32");
        }

        return hash;
    }

    /// <summary>
    /// Validates a downloaded image's manifest (legacy path) and returns its <c>(file name, hash hex)</c> entries:
    /// blank lines skipped, exactly two fields per line, each name a bare file name other than <c>sha256sum.txt</c>.
    /// </summary>
    /// <exception cref="OsImageException">Not UTF-8, a line with extra or missing fields, an unsafe path or a recursive entry.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> ValidateManifest(ReadOnlySpan<byte> file)
    {
        var entries = new List<KeyValuePair<string, string>>();
        foreach (var (lineNumber, tokens) in Lines(file))
        {
            if (tokens.Length > 2)
            {
                throw new OsImageException($"image manifest line {lineNumber} has extra fields");
            }

            if (tokens.Length < 2)
            {
                throw new OsImageException($"image manifest line {lineNumber} is missing filename");
            }

            var name = tokens[1];
            if (name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
            {
                throw new OsImageException($"image manifest line {lineNumber} has an unsafe path");
            }

            if (name == FileName)
            {
                throw new OsImageException("image manifest must not recursively list sha256sum.txt");
            }

            entries.Add(new KeyValuePair<string, string>(name, tokens[0]));
        }

        return entries;
    }

    /// <summary>The non-blank lines (split on LF, trimmed, so a CR before the LF goes) as (1-based number, whitespace-separated tokens).</summary>
    private static List<(int LineNumber, string[] Tokens)> Lines(ReadOnlySpan<byte> file)
    {
        var lines = new List<(int, string[])>();
        var lineNumber = 0;
        foreach (var rawLine in Decode(file).Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length != 0)
            {
                lines.Add((lineNumber, line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
            }
        }

        return lines;
    }

    private static string Decode(ReadOnlySpan<byte> file)
    {
        try
        {
            return StrictUtf8.GetString(file);
        }
        catch (DecoderFallbackException ex)
        {
            throw new OsImageException($"sha256sum.txt is not valid UTF-8: {ex.Message}", ex);
        }
    }
}
