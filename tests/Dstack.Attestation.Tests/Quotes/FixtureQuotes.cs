using System.Text.Json;
using Dstack.Tests;

namespace Dstack.Attestation.Tests.Quotes;

/// <summary>The real TDX quotes shipped in ../shared/fixtures.</summary>
internal static class FixtureQuotes
{
    /// <summary>Inside the validity of every fixture's PCK certificate (the latest was issued 2026-04-15).</summary>
    public static readonly DateTimeOffset VerificationTime = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly string[] Names =
    [
        "ratls-tdx_quote",
        "simulator-attestation.bin",
        "verifier-quote-report.json",
        "verifier-tdx-lite-getquote.json",
        "verifier-tdx-lite-attestation.json",
    ];

    public static TheoryData<string> All() => [.. Names];

    public static byte[] Load(string name) => name switch
    {
        "ratls-tdx_quote" => SharedFiles.ReadFixture(name),
        "simulator-attestation.bin" => QuoteFromV0Attestation(SharedFiles.ReadFixture(name)),
        "verifier-quote-report.json" or "verifier-tdx-lite-getquote.json" => Convert.FromHexString(JsonField(name, "quote")),
        "verifier-tdx-lite-attestation.json" => QuoteFromV0Attestation(Convert.FromHexString(JsonField(name, "attestation"))),
        _ => throw new ArgumentException("unknown fixture " + name, nameof(name)),
    };

    /// <summary>V0 SCALE attestation: version byte 0, variant byte 0 (DstackTdx), then the quote as a compact-length Vec&lt;u8&gt;.</summary>
    public static byte[] QuoteFromV0Attestation(byte[] blob)
    {
        Assert.Equal(0, blob[0]);
        Assert.Equal(0, blob[1]);
        var (length, prefix) = DecodeCompact(blob.AsSpan(2));
        return blob.AsSpan(2 + prefix, checked((int)length)).ToArray();
    }

    /// <summary>Decodes a SCALE compact integer; returns its value and the number of prefix bytes.</summary>
    public static (ulong Value, int Size) DecodeCompact(ReadOnlySpan<byte> data) => (data[0] & 3) switch
    {
        0 => ((ulong)data[0] >> 2, 1),
        1 => ((ulong)(data[0] | (data[1] << 8)) >> 2, 2),
        2 => ((ulong)(uint)(data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24)) >> 2, 4),
        _ => throw new NotSupportedException("big-integer compact lengths are not used for quotes"),
    };

    private static string JsonField(string name, string field)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedFiles.Fixture(name)));
        return document.RootElement.GetProperty(field).GetString()!;
    }
}
