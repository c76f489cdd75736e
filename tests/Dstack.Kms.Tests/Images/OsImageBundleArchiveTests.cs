using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dstack.Kms.Images;
using Dstack.Tests;

namespace Dstack.Kms.Tests.Images;

public sealed class OsImageBundleArchiveTests
{
    [Fact]
    public void The_manifest_lists_every_file_in_order_with_two_spaces_and_lf()
    {
        var manifest = OsImageBundleArchive.ChecksumFile([("b.bin", "b"u8.ToArray()), ("a.bin", "a"u8.ToArray())]);

        Assert.Equal(
            "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  b.bin\n" +
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  a.bin\n",
            Encoding.UTF8.GetString(manifest));
    }

    [Fact]
    public void The_lite_fixture_measurement_gives_the_fixture_checksum_file_and_os_image_hash()
    {
        // os-image-verification.md §5: the 87-byte checksum_file and its SHA-256, the os_image_hash
        using var fixture = JsonDocument.Parse(File.ReadAllText(SharedFiles.Fixture("verifier-tdx-lite-getquote.json")));
        using var vmConfig = JsonDocument.Parse(fixture.RootElement.GetProperty("vm_config").GetString()!);
        var measurement = vmConfig.RootElement.GetProperty("tdx_measurement");
        var cbor = Convert.FromBase64String(measurement.GetProperty("measurement").GetString()!);
        var checksumFile = Convert.FromBase64String(measurement.GetProperty("checksum_file").GetString()!);

        using var output = new MemoryStream();
        var hash = OsImageBundleArchive.Write(output, [(OsImageBundleStore.MeasurementFileName, cbor)]);

        Assert.Equal(384, cbor.Length);
        Assert.Equal(checksumFile, OsImageBundleArchive.ChecksumFile([(OsImageBundleStore.MeasurementFileName, cbor)]));
        Assert.Equal("e6f5cfec20c02e7b97baa213d0f718020b55e040172d90ccbcb946d56c8b09db", Convert.ToHexStringLower(hash));
        Assert.Equal(vmConfig.RootElement.GetProperty("os_image_hash").GetString(), Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void The_archive_holds_the_manifest_first_then_the_files()
    {
        var files = TestArchives.StandardFiles();
        using var output = new MemoryStream();
        var hash = OsImageBundleArchive.Write(output, files);
        Assert.True(output.CanWrite);

        using var reader = new TarReader(new MemoryStream(TestArchives.Gunzip(output.ToArray())));
        var entries = new List<(string Name, byte[] Content)>();
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            Assert.Equal(TarEntryType.RegularFile, entry.EntryType);
            using var content = new MemoryStream();
            entry.DataStream!.CopyTo(content);
            entries.Add((entry.Name, content.ToArray()));
        }

        Assert.Equal(["sha256sum.txt", "ovmf.fd", "bzImage", "metadata.json", "measurement.tdx.cbor"], entries.Select(e => e.Name));
        Assert.Equal(hash, SHA256.HashData(entries[0].Content));
        Assert.Equal(files.Select(f => f.Content), entries.Skip(1).Select(e => e.Content));
    }

    [Theory]
    [InlineData("sha256sum.txt")]
    [InlineData("dir/file")]
    [InlineData("dir\\file")]
    [InlineData("two words")]
    [InlineData("..")]
    [InlineData("")]
    public void Names_that_cannot_be_listed_are_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => OsImageBundleArchive.ChecksumFile([(name, [1])]));
    }

    [Fact]
    public void A_repeated_name_is_refused()
    {
        Assert.Throws<ArgumentException>(() => OsImageBundleArchive.ChecksumFile([("a", [1]), ("a", [2])]));
    }

    [Theory]
    [InlineData("a", "a")]
    [InlineData("./a/b/", "a/b")]
    [InlineData("a//b", "a/b")]
    [InlineData(".", "")]
    [InlineData("./", "")]
    [InlineData("../a", null)]
    [InlineData("a/..", null)]
    [InlineData("/a", null)]
    [InlineData("", null)]
    public void Entry_paths_keep_only_normal_components(string name, string? expected)
    {
        Assert.Equal(expected, ImageArchiveExtractor.SafeRelativePath(name));
    }
}
