using System.Text;
using System.Text.Json;
using Dstack.Attestation.OsImage;

namespace Dstack.Attestation.Simulation;

/// <summary>
/// What the "host" booted a simulated TD with (spec os-image-verification §7.3): the simulated OS-image bundle's name,
/// the memory size and the QEMU version. A TD's MRTD, RTMR0–2 and boot log are computed from it when the TD is first
/// created; a host (test, <c>dstack-local</c>) that wants another image writes <see cref="FileName"/> into the state
/// directory before that. Without the file the TD boots <see cref="Default"/>.
/// </summary>
/// <param name="ImageName">The simulated bundle's name N (§7.1).</param>
/// <param name="MemorySize">The TD's memory in bytes (the lite gate: 2 GiB or ≥ 2816 MiB).</param>
/// <param name="QemuVersion">The QEMU version (<c>X.Y.Z</c>), which selects the MRTD page-add order; null = 9.1.0.</param>
public sealed record SimulatedBootImage(string ImageName, ulong MemorySize, string? QemuVersion)
{
    /// <summary>File in a TD state directory that holds the boot image as JSON.</summary>
    public const string FileName = "boot-image.json";

    /// <summary>The default: <c>dstack-sim-0.6.0</c>, 2 GiB, QEMU 8.2.2 (the §7.5 vector).</summary>
    public static SimulatedBootImage Default { get; } = new(SimulatedOsImage.DefaultName, 2UL << 30, "8.2.2");

    /// <summary>The simulated bundle of <see cref="ImageName"/>.</summary>
    public SimulatedOsImage Image => SimulatedOsImage.Create(ImageName);

    /// <summary>The <c>vm_config</c> JSON the host hands a VM booted this way (lite, with the bundle's measurement).</summary>
    public string VmConfig => Image.VmConfig(MemorySize, QemuVersion);

    /// <summary>The registers and boot log of a TD booted this way.</summary>
    /// <exception cref="ArgumentException">The memory size or QEMU version cannot be booted (lite gate, version format).</exception>
    public SimulatedBoot Boot() => Image.Boot(MemorySize, QemuVersion);

    /// <summary>The boot image of the TD in <paramref name="stateDirectory"/>: its <see cref="FileName"/>, else <see cref="Default"/>.</summary>
    /// <exception cref="InvalidDataException">The file is malformed (names the file and the field).</exception>
    public static SimulatedBootImage Load(string stateDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        var path = Path.Combine(stateDirectory, FileName);
        if (!File.Exists(path))
        {
            return Default;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: expected a JSON object");
            }

            var name = root.TryGetProperty("image", out var image) && image.ValueKind == JsonValueKind.String && image.GetString() is { Length: > 0 } n
                ? n
                : throw new InvalidDataException($"{path}: \"image\" must be a non-empty string");
            var memory = root.TryGetProperty("memory_size", out var m) && m.ValueKind == JsonValueKind.Number && m.TryGetUInt64(out var bytes)
                ? bytes
                : throw new InvalidDataException($"{path}: \"memory_size\" must be an unsigned integer (bytes)");
            string? qemu = null;
            if (root.TryGetProperty("qemu_version", out var q) && q.ValueKind != JsonValueKind.Null)
            {
                qemu = q.ValueKind == JsonValueKind.String ? q.GetString() : throw new InvalidDataException($"{path}: \"qemu_version\" must be a string such as \"8.2.2\"");
            }

            return new SimulatedBootImage(name, memory, qemu);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Writes this boot image into <paramref name="stateDirectory"/> (before the TD is first opened).</summary>
    public void Write(string stateDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        Directory.CreateDirectory(stateDirectory);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("image", ImageName);
            writer.WriteNumber("memory_size", MemorySize);
            if (QemuVersion is null)
            {
                writer.WriteNull("qemu_version");
            }
            else
            {
                writer.WriteString("qemu_version", QemuVersion);
            }

            writer.WriteEndObject();
        }

        File.WriteAllText(Path.Combine(stateDirectory, FileName), Encoding.UTF8.GetString(stream.ToArray()) + "\n");
    }
}
