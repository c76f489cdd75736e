using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Dstack.Kms.Images;

namespace Dstack.Kms.Tests.Images;

/// <summary>Bundles for the tests: well-formed ones from <see cref="OsImageBundleArchive"/>, and hand-made tars.</summary>
internal static class TestArchives
{
    public static readonly byte[] Measurement = Encoding.ASCII.GetBytes("cbor-measurement-bytes");

    /// <summary>A typical bundle's files, measurement included.</summary>
    public static IReadOnlyList<(string Name, byte[] Content)> StandardFiles() =>
    [
        ("ovmf.fd", Fill(4096 + 17, 0x5a)),
        ("bzImage", Fill(10_000, 0x17)),
        ("metadata.json", Encoding.UTF8.GetBytes("{\"cmdline\":\"console=ttyS0\",\"kernel\":\"bzImage\",\"initrd\":\"initramfs.cpio.gz\",\"bios\":\"ovmf.fd\"}")),
        (OsImageBundleStore.MeasurementFileName, Measurement),
    ];

    /// <summary>A well-formed bundle and its hash.</summary>
    public static (byte[] Hash, byte[] Body) Standard() => Build(StandardFiles());

    public static (byte[] Hash, byte[] Body) Build(IReadOnlyList<(string Name, byte[] Content)> files)
    {
        using var output = new MemoryStream();
        var hash = OsImageBundleArchive.Write(output, files);
        return (hash, output.ToArray());
    }

    /// <summary>An uncompressed tar of the given entries (type, name, content or link target).</summary>
    public static byte[] Tar(params TarSpec[] entries)
    {
        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var spec in entries)
            {
                var entry = new PaxTarEntry(spec.Type, spec.Name);
                if (spec.LinkName is not null)
                {
                    entry.LinkName = spec.LinkName;
                }

                if (spec.Content is not null)
                {
                    entry.DataStream = new MemoryStream(spec.Content);
                }

                tar.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    /// <summary>A tar of <paramref name="manifest"/> as sha256sum.txt plus <paramref name="files"/>, and the manifest's hash.</summary>
    public static (byte[] Hash, byte[] Body) WithManifest(byte[] manifest, IReadOnlyList<(string Name, byte[] Content)> files, params TarSpec[] extra)
    {
        var entries = new List<TarSpec> { TarSpec.File(OsImageBundleArchive.ChecksumFileName, manifest) };
        entries.AddRange(files.Select(f => TarSpec.File(f.Name, f.Content)));
        entries.AddRange(extra);
        return (SHA256.HashData(manifest), Gzip(Tar([.. entries])));
    }

    /// <summary>One gzip member holding <paramref name="data"/>.</summary>
    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    public static byte[] Fill(int length, byte seed)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed + (i * 31));
        }

        return bytes;
    }
}

/// <summary>One hand-made tar entry.</summary>
internal sealed record TarSpec(TarEntryType Type, string Name, byte[]? Content = null, string? LinkName = null)
{
    public static TarSpec File(string name, byte[] content) => new(TarEntryType.RegularFile, name, content);

    public static TarSpec Dir(string name) => new(TarEntryType.Directory, name);
}
