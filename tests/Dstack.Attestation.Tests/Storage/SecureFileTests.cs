using Dstack.Attestation.Storage;
using Dstack.Tests;

namespace Dstack.Attestation.Tests.Storage;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SecureFileTests
{
    [Fact]
    public async Task Writes_replace_the_file_owner_only_and_leave_no_temporary_files()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "sub", "secret.json");

        SecureFile.Write(path, "one"u8);
        await SecureFile.WriteAsync(path, "two"u8.ToArray(), CancellationToken.None);

        Assert.Equal("two", await File.ReadAllTextAsync(path));
        Assert.Equal(SecureFile.OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Create_new_never_replaces_an_existing_file()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "root.key");
        SecureFile.CreateNew(path, "first"u8);

        Assert.Throws<IOException>(() => SecureFile.CreateNew(path, "second"u8));

        Assert.Equal("first", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
