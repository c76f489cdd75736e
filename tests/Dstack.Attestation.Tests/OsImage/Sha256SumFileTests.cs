using System.Text;
using Dstack.Attestation.OsImage;

namespace Dstack.Attestation.Tests.OsImage;

public class Sha256SumFileTests
{
    private const string Name = "measurement.tdx.cbor";
    private static readonly string Hash = new('a', 64);

    private static byte[] Find(string text) => Sha256SumFile.FindEntry(Encoding.UTF8.GetBytes(text), Name);

    [Fact]
    public void The_entry_is_found_among_other_files_with_crlf_and_blank_lines()
    {
        var hash = Find($"{new string('1', 64)}  ovmf.fd\r\n\r\n   \n  {Hash}  {Name}  extra tokens\r\n{new string('2', 64)}  bzImage\n");

        Assert.Equal(Convert.FromHexString(Hash), hash);
    }

    [Fact]
    public void Other_paths_are_not_checked()
    {
        Assert.Equal(32, Find($"not-hex  other\n{Hash}  {Name}\n").Length);
    }

    [Fact]
    public void Upper_case_hex_is_accepted()
    {
        Assert.Equal(Convert.FromHexString(Hash), Find($"{Hash.ToUpperInvariant()} {Name}"));
    }

    [Theory]
    [InlineData("x  ovmf.fd\nlonely\n", "sha256sum.txt line 2 is missing filename")]
    [InlineData("\n\n   abc   \n", "sha256sum.txt line 3 is missing filename")]
    [InlineData("aa  measurement.tdx.cbor\nbb  measurement.tdx.cbor\n", "sha256sum.txt contains duplicate measurement.tdx.cbor entries")]
    [InlineData("zz  measurement.tdx.cbor\n", "sha256sum.txt measurement.tdx.cbor hash is not valid hex: ")]
    [InlineData("aabb  measurement.tdx.cbor\n", "sha256sum.txt measurement.tdx.cbor hash has invalid length 2, expected 32")]
    [InlineData("aabb  measurement.tdx.cbor.sig\n", "sha256sum.txt is missing measurement.tdx.cbor")]
    [InlineData("", "sha256sum.txt is missing measurement.tdx.cbor")]
    public void Lookup_errors_have_the_spec_wording(string text, string message)
    {
        var ex = Assert.Throws<OsImageException>(() => Find(text));

        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        var ex = Assert.Throws<OsImageException>(() => Sha256SumFile.FindEntry([0x61, 0xff, 0x0a], Name));

        Assert.StartsWith("sha256sum.txt is not valid UTF-8: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_manifest_lists_its_entries()
    {
        var entries = Sha256SumFile.ValidateManifest(Encoding.UTF8.GetBytes($"{Hash}  ovmf.fd\n\n{Hash}  {Name}\n"));

        Assert.Equal(["ovmf.fd", Name], entries.Select(e => e.Key));
        Assert.All(entries, e => Assert.Equal(Hash, e.Value));
    }

    [Theory]
    [InlineData("aa  ovmf.fd extra\n", "image manifest line 1 has extra fields")]
    [InlineData("\naa\n", "image manifest line 2 is missing filename")]
    [InlineData("aa  ../etc/passwd\n", "image manifest line 1 has an unsafe path")]
    [InlineData("aa  dir/file\n", "image manifest line 1 has an unsafe path")]
    [InlineData("aa  ..\n", "image manifest line 1 has an unsafe path")]
    [InlineData("aa  sha256sum.txt\n", "image manifest must not recursively list sha256sum.txt")]
    public void Manifest_errors_have_the_spec_wording(string text, string message)
    {
        var ex = Assert.Throws<OsImageException>(() => Sha256SumFile.ValidateManifest(Encoding.UTF8.GetBytes(text)));

        Assert.Equal(message, ex.Message);
    }
}
