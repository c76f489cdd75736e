using System.Text.Json;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Quotes;
using Dstack.Attestation.Simulation;

namespace Dstack.Agent.Tests.Support;

/// <summary>Checks quotes the way a verifier would: DCAP under the simulated TD's mock root, then RTMR replay.</summary>
public static class SimulatedRoot
{
    /// <summary>Asserts that <paramref name="quote"/> verifies under the mock root of <paramref name="stateDirectory"/>.</summary>
    public static TdxQuote AssertVerifies(string stateDirectory, byte[] quote)
    {
        using var pki = new MockDcapPki(MockAttestationSeed.Load(stateDirectory));
        var result = new QuoteVerifier(pki.TrustRoot).Verify(quote);
        Assert.True(result.IsValid, string.Join("; ", result.Failures));
        return result.Quote!;
    }

    /// <summary>Asserts that <paramref name="events"/> replay to the quote's RTMR0–3.</summary>
    public static void AssertReplays(IEnumerable<TdxEvent> events, TdxQuote quote)
    {
        var check = RtmrReplay.Check(events, Rtmrs(quote));
        Assert.True(check.IsMatch, check.Describe());
    }

    public static RtmrValues Rtmrs(TdxQuote quote) => new(quote.Rtmrs[0].Span, quote.Rtmrs[1].Span, quote.Rtmrs[2].Span, quote.Rtmrs[3].Span);

    public static string Hex(JsonElement element, string name) => element.GetProperty(name).GetString()!;
}
