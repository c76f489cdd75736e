using System.Text;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Quotes;
using Dstack.Attestation.Simulation;
using Dstack.Tests;

namespace Dstack.Attestation.Tests.Simulation;

public class SimulatedTdTests
{
    private static RtmrValues RtmrsOf(TdxQuote quote) => new(quote.Rtmrs[0].Span, quote.Rtmrs[1].Span, quote.Rtmrs[2].Span, quote.Rtmrs[3].Span);

    private static byte[] ReportData(string text)
    {
        var data = new byte[64];
        Encoding.ASCII.GetBytes(text).CopyTo(data, 0);
        return data;
    }

    [Fact]
    public async Task Quote_verifies_under_its_own_root_and_not_under_Intel()
    {
        using var dir = new TempDirectory();
        using var td = SimulatedTd.Open(dir.Path);
        var quote = await td.Device.GetQuoteAsync(ReportData("hello"), CancellationToken.None);

        var simulated = new QuoteVerifier(td.TrustRoot).Verify(quote);
        Assert.True(simulated.IsValid, string.Join("; ", simulated.Failures));
        Assert.Equal(ReportData("hello"), simulated.Quote!.ReportData.ToArray());
        Assert.Equal(MockDcapPki.RootName, simulated.TrustRootName);
        Assert.False(simulated.IsDebug);

        var intel = new QuoteVerifier(TrustRoot.IntelSgxRootCa).Verify(quote);
        Assert.False(intel.IsValid);
        Assert.Contains(intel.Failures, f => f.Contains("trust root", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Collateral_from_the_mock_pki_gives_the_chosen_tcb_status()
    {
        using var dir = new TempDirectory();
        using var td = SimulatedTd.Open(dir.Path);
        var quote = await td.Device.GetQuoteAsync(new byte[64], CancellationToken.None);
        var collateral = td.Pki.CreateCollateral(DateTimeOffset.UtcNow, TcbStatuses.SWHardeningNeeded, ["INTEL-SA-00837"]);

        var result = new QuoteVerifier(td.TrustRoot).Verify(quote, collateral);

        Assert.True(result.IsValid, string.Join("; ", result.Failures));
        Assert.Equal("SWHardeningNeeded", result.TcbStatus);
        Assert.Equal(["INTEL-SA-00837"], result.AdvisoryIds);
    }

    [Fact]
    public async Task Reopening_the_state_directory_gives_the_same_td_and_root()
    {
        using var dir = new TempDirectory();
        string fingerprint;
        byte[] rtmr3;
        using (var first = SimulatedTd.Open(dir.Path))
        {
            await first.Events.EmitAsync("app-started", "v1"u8.ToArray(), CancellationToken.None);
            fingerprint = first.TrustRoot.PublicKeyFingerprint;
            rtmr3 = (await first.Device.ReadRegistersAsync(CancellationToken.None)).Rtmrs[3];
        }

        using var second = SimulatedTd.Open(dir.Path);
        Assert.Equal(fingerprint, second.TrustRoot.PublicKeyFingerprint);
        Assert.Equal(rtmr3, (await second.Device.ReadRegistersAsync(CancellationToken.None)).Rtmrs[3]);
        Assert.NotEqual(new byte[48], rtmr3);

        using var other = new TempDirectory();
        using var stranger = SimulatedTd.Open(other.Path);
        Assert.NotEqual(fingerprint, stranger.TrustRoot.PublicKeyFingerprint);
    }

    [Fact]
    public async Task Event_log_replays_to_the_quoted_rtmrs_after_concurrent_emits()
    {
        using var dir = new TempDirectory();
        using var td = SimulatedTd.Open(dir.Path);

        // several independent emitters on the same directory stand in for several processes
        var tasks = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            using var view = SimulatedTd.Open(dir.Path);
            for (var i = 0; i < 10; i++)
            {
                await view.Events.EmitAsync($"event-{worker}-{i}", Encoding.UTF8.GetBytes($"payload {worker}/{i}"), CancellationToken.None);
            }
        }));
        await Task.WhenAll(tasks);

        var quote = TdxQuote.Parse(await td.Device.GetQuoteAsync(new byte[64], CancellationToken.None));
        var log = await td.ReadEventLogAsync(CancellationToken.None);

        Assert.Equal(40, log.Count(e => e.IsRuntimeEvent));
        var check = RtmrReplay.Check(log, RtmrsOf(quote));
        Assert.True(check.IsMatch, check.Describe());
        Assert.NotEqual(new byte[48], quote.Rtmrs[3].ToArray());
    }
}
