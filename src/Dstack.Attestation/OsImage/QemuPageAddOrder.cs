using System.Globalization;

namespace Dstack.Attestation.OsImage;

/// <summary>
/// Which MRTD order QEMU uses for a VM (spec os-image-verification §3.3): two-pass (all pages of a section added,
/// then extended) for 8.0.0 ≤ version &lt; 9.0.0, single-pass otherwise; an absent version means 9.1.0.
/// </summary>
public static class QemuPageAddOrder
{
    /// <summary>The QEMU version assumed when <c>qemu_version</c> is absent.</summary>
    public const string DefaultVersion = "9.1.0";

    /// <summary>
    /// True when the MRTD is the two-pass one. The version is always parsed and checked; a present
    /// <paramref name="singlePassAddPages"/> then overrides the result with its own value (upstream's quirk:
    /// <c>true</c> selects two-pass).
    /// </summary>
    /// <exception cref="OsImageException">The version is malformed or older than 8.0.0.</exception>
    public static bool IsTwoPass(string? qemuVersion, bool? singlePassAddPages)
    {
        var (major, minor, patch) = Parse(qemuVersion ?? DefaultVersion);
        if (major < 8)
        {
            throw new OsImageException($"Unsupported QEMU version: ({major}, {minor}, {patch})");
        }

        return singlePassAddPages ?? major == 8;
    }

    /// <summary>Parses <c>major.minor.patch</c> (three u32 parts).</summary>
    /// <exception cref="OsImageException"><c>Failed to parse QEMU version: …</c>.</exception>
    public static (uint Major, uint Minor, uint Patch) Parse(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var parts = version.Split('.');
        if (parts.Length != 3)
        {
            throw new OsImageException(
                $"Failed to parse QEMU version: Version string must have exactly 3 parts (major.minor.patch), got {parts.Length}");
        }

        var numbers = new uint[3];
        for (var i = 0; i < 3; i++)
        {
            if (parts[i].Length == 0 || !parts[i].All(char.IsAsciiDigit)
                || !uint.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                throw new OsImageException("Failed to parse QEMU version: Invalid version number");
            }
        }

        return (numbers[0], numbers[1], numbers[2]);
    }
}
