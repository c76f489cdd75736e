using System.Text.Json;
using Dstack.Tests;

namespace Dstack.Attestation.Tests;

/// <summary>Access to spec/test-vectors.json and small helpers shared by the event-log tests.</summary>
internal static class TestVectors
{
    private static readonly Lazy<JsonDocument> Document = new(() => JsonDocument.Parse(File.ReadAllText(SharedFiles.Spec("test-vectors.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static JsonElement Fixture => Root.GetProperty("fixture");

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static byte[] FixtureTdReport(string field) => Hex(Fixture.GetProperty("td_report").GetProperty(field).GetString()!);

    /// <summary>RTMR0–3 of a TDX v4 quote (body at 48: RTMR0 @376, RTMR1 @424, RTMR2 @472, RTMR3 @520).</summary>
    public static Dstack.Attestation.EventLog.RtmrValues QuoteRtmrs(byte[] quote) => new(
        quote.AsSpan(376, 48), quote.AsSpan(424, 48), quote.AsSpan(472, 48), quote.AsSpan(520, 48));
}
