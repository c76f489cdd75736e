using System.Security.Cryptography;
using Dstack.Crypto.Edwards;
using Dstack.Crypto.Encodings;
using Dstack.Crypto.Keys;
using Dstack.Crypto.ReportData;
using Dstack.Crypto.Secp256k1;
using static Dstack.Crypto.Tests.TestVectors;

namespace Dstack.Crypto.Tests.ReportData;

public class QuoteReportDataTests
{
    public static TheoryData<int> TdxQuoteEntries => Indexes("tdx_quote_report_data");

    [Theory]
    [MemberData(nameof(TdxQuoteEntries))]
    public void TdxQuote_MatchesVector(int index)
    {
        var entry = Entry("tdx_quote_report_data", index);
        var result = QuoteReportData.ForTdxQuote(entry.HexOf("report_data"), entry.Str("hash_algorithm"), entry.Str("prefix"));
        Assert.Equal(entry.Str("result"), Convert.ToHexStringLower(result.ReportData.Span));
        if (entry.TryGetProperty("response_prefix", out var prefix))
        {
            Assert.Equal(prefix.GetString(), result.Prefix);
        }

        if (entry.TryGetProperty("response_hash_algorithm", out var algorithm))
        {
            Assert.Equal(algorithm.GetString(), result.HashAlgorithm);
        }
    }

    [Fact]
    public void TdxQuote_ColonInPrefixIsHashedLiterally()
    {
        var result = QuoteReportData.ForTdxQuote("test"u8, "", "app-data:");
        Assert.Equal("app-data:", result.Prefix);
        Assert.Equal(SHA512.HashData("app-data::test"u8), result.ReportData.ToArray());
    }

    [Fact]
    public void TdxQuote_RawNeedsExactly64Bytes()
    {
        var data = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        var result = QuoteReportData.ForTdxQuote(data, "raw", "ignored");
        Assert.Equal(data, result.ReportData.ToArray());
        Assert.Equal("", result.Prefix);
        Assert.Equal("raw", result.HashAlgorithm);
        var ex = Assert.Throws<DstackCryptoException>(() => QuoteReportData.ForTdxQuote(new byte[63], "raw", ""));
        Assert.Equal("invalid content length", ex.Message);
    }

    [Theory]
    [InlineData("sha256", 32)]
    [InlineData("sha384", 48)]
    [InlineData("sha3-256", 32)]
    [InlineData("sha3-384", 48)]
    [InlineData("sha3-512", 64)]
    [InlineData("keccak384", 48)]
    [InlineData("keccak512", 64)]
    public void Compute_ZeroPadsShorterDigests(string algorithm, int digestLength)
    {
        var result = QuoteReportData.Compute("app-data", "test"u8, algorithm);
        Assert.Equal(64, result.Length);
        Assert.True(result.AsSpan(digestLength).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(result.AsSpan(0, digestLength).IndexOfAnyExcept((byte)0) >= 0);
    }

    [Fact]
    public void Compute_Sha3DiffersFromKeccak()
    {
        // FIPS-202 SHA3-256("") vs original Keccak-256("") over the same preimage
        Assert.NotEqual(QuoteReportData.Compute("t", ""u8, "sha3-256"), QuoteReportData.Compute("t", ""u8, "keccak256"));
        Assert.Equal(SHA256.HashData("t:"u8), QuoteReportData.Compute("t", ""u8, "sha256").AsSpan(0, 32).ToArray());
    }

    [Fact]
    public void Compute_RejectsUnknownAlgorithm()
    {
        var ex = Assert.Throws<DstackCryptoException>(() => QuoteReportData.Compute("app-data", "x"u8, "md5"));
        Assert.Equal("invalid hash algorithm", ex.Message);
    }

    [Fact]
    public void Pad_RightPadsAndRejectsMoreThan64()
    {
        var padded = QuoteReportData.Pad([1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }.Concat(new byte[61]), padded);
        Assert.Equal(new byte[64], QuoteReportData.Pad([]));
        Assert.Equal("Report data is too long", Assert.Throws<DstackCryptoException>(() => QuoteReportData.Pad(new byte[65])).Message);
    }

    [Fact]
    public void Dip1Strings_MatchRepoAssertedKdfVector()
    {
        var entry = Root.GetProperty("kdf")[0];
        var okm = entry.HexOf("okm");
        var compressed = new byte[33];
        LibSecp256k1.Instance.GetPublicKey(okm, compressed);
        Assert.Equal(Padded(entry.Str("dip1_ed25519")), QuoteReportData.ForEd25519AppKey(Ed25519.GetPublicKey(okm)));
        Assert.Equal(Padded(entry.Str("dip1_secp256k1")), QuoteReportData.ForSecp256k1AppKey(compressed));
    }

    [Fact]
    public void Dip1Strings_MatchSimulatorSignKeys()
    {
        var service = new AppKeyService(SimulatorK256Key, SimulatorK256Signature, LibSecp256k1.Instance);
        var ed = service.GetKey("vms", "signing", "ed25519");
        var k = service.GetKey("vms", "signing", "secp256k1");
        var edData = QuoteReportData.ForEd25519AppKey(ed.PublicKey.Span);
        Assert.Equal(Padded("dip1::ed25519-pk:aY9WvVh9jOPKjbDhw2G6nRkAifmNxNnfgA_5LtBzpl0"), edData);
        Assert.Equal(new byte[4], edData.AsSpan(60).ToArray());
        Assert.Equal(Padded("dip1::secp256k1c-pk:A2EF8B0f14FWj3wgiwh7HE9SJgFBDtfpx4cNVz3nxG1U"), QuoteReportData.ForSecp256k1AppKey(k.PublicKey.Span));
    }

    [Fact]
    public void RaTlsAndBootstrapBindings_MatchKmsSection38()
    {
        var root = P256KeyEncoding.SubjectPublicKeyInfoOf(Hex("f57527cea4ab7ffb49af99b158cdc0e3ec06398f528349ea236b7d2afe19cec1"));
        Assert.Equal(
            "d224180bddf1a335755b07626fdc80ce18090be1ff37e7d6e1b53e780e27da0d8fafe99fc41e90333fcb51949ae5a1fc95b7820e142e611256ff4a8dc8997506",
            Convert.ToHexStringLower(QuoteReportData.ForRaTlsCertificate(root)));
        var k256Pub = Hex("031b84c5567b126440995d3ed5aaba0565d71e1834604819ff9c17f5e9d5dd078f");
        Assert.Equal(
            "f39ceee4f479b1826f3b20b32736ec4d84f5972424f5b462100488f69a86dd0b" + new string('0', 64),
            Convert.ToHexStringLower(QuoteReportData.ForKmsBootstrap(root, k256Pub)));
    }

    [Fact]
    public void RaTlsBinding_MatchesDeriveKeyExample()
    {
        var service = new AppKeyService(SimulatorK256Key, SimulatorK256Signature, LibSecp256k1.Instance);
        var spki = P256KeyEncoding.SubjectPublicKeyInfoOf(service.DeriveP256Key("/"));
        Assert.StartsWith("3059301306072a8648ce3d020106082a8648ce3d03010703420004f367a52f", Convert.ToHexStringLower(spki), StringComparison.Ordinal);
        Assert.EndsWith("9c036ac", Convert.ToHexStringLower(spki), StringComparison.Ordinal);
        Assert.Equal(
            "2bb982f467442c4d6ea3b1e3ccf09decc3e6f42b3f08cc9e749203a7cb7a20f15264c9d3ec45faaf81afb7a8bf28f3cff6adc0a8bf253718ce3055ff2d5bf6d6",
            Convert.ToHexStringLower(QuoteReportData.ForRaTlsCertificate(spki)));
    }

    private static byte[] Padded(string ascii) => QuoteReportData.Pad(System.Text.Encoding.ASCII.GetBytes(ascii));
}
