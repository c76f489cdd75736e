using System.Text;
using Dstack.Kms.Images;

namespace Dstack.Kms.Tests.Images;

public sealed class ImageManifestTests
{
    private static readonly string HashA = new('a', 64);
    private static readonly string HashB = "0123456789ABCDEF" + new string('0', 48);

    [Fact]
    public void Lines_are_parsed_in_order_with_blank_lines_and_crlf_accepted()
    {
        var manifest = Parse($"{HashA}  ovmf.fd\r\n\n   \n{HashB}  measurement.tdx.cbor\n");

        Assert.Equal(["ovmf.fd", "measurement.tdx.cbor"], manifest.Entries.Select(e => e.Name));
        Assert.Equal(Convert.FromHexString(HashA), manifest.Entries[0].Sha256);
        Assert.Equal(Convert.FromHexString(HashB), manifest.Find("measurement.tdx.cbor")!.Sha256);
        Assert.Null(manifest.Find("bzImage"));
    }

    [Theory]
    [InlineData("{A}  ovmf.fd\n{A}  bzImage extra\n", "image manifest line 2 has extra fields")]
    [InlineData("\n{A}\n", "image manifest line 2 is missing filename")]
    [InlineData("{A}  ../ovmf.fd\n", "image manifest line 1 has an unsafe path")]
    [InlineData("{A}  dir/ovmf.fd\n", "image manifest line 1 has an unsafe path")]
    [InlineData("{A}  /ovmf.fd\n", "image manifest line 1 has an unsafe path")]
    [InlineData("{A}  ..\n", "image manifest line 1 has an unsafe path")]
    [InlineData("{A}  a\\b\n", "image manifest line 1 has an unsafe path")]
    [InlineData("{A}  .\n", "image manifest line 1 has an unsafe path")]
    [InlineData("{A}  sha256sum.txt\n", "image manifest must not recursively list sha256sum.txt")]
    [InlineData("abcd  ovmf.fd\n", "image manifest lists an invalid sha256 for ovmf.fd (64 hex digits expected)")]
    [InlineData("{A}  ovmf.fd\n{A}  ovmf.fd\n", "image manifest lists ovmf.fd more than once")]
    public void Rule_violations_name_the_line(string text, string message)
    {
        var ex = Assert.Throws<OsImageBundleException>(() => Parse(text.Replace("{A}", HashA, StringComparison.Ordinal)));

        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void A_non_hex_digest_of_the_right_length_is_refused()
    {
        var ex = Assert.Throws<OsImageBundleException>(() => Parse(new string('g', 64) + "  ovmf.fd\n"));

        Assert.Equal("image manifest lists an invalid sha256 for ovmf.fd (64 hex digits expected)", ex.Message);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        var ex = Assert.Throws<OsImageBundleException>(() => ImageManifest.Parse([0x61, 0xff, 0x0a]));

        Assert.StartsWith("sha256sum.txt is not valid UTF-8: ", ex.Message, StringComparison.Ordinal);
    }

    private static ImageManifest Parse(string text) => ImageManifest.Parse(Encoding.UTF8.GetBytes(text));
}
