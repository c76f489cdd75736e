using System.CommandLine;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Quotes;
using Dstack.Attestation.Simulation;

namespace Dstack.Agent.Cli;

/// <summary>
/// <c>dstack-agent dev [--state-dir DIR]</c>: opens (or creates) the simulated TD, prints its measurements, takes a quote,
/// verifies it under the TD's mock root, and checks that the event log replays to the quoted RTMRs.
/// </summary>
internal static class DevCommand
{
    public const string DefaultStateDirectory = ".dstack";

    public static Command Create()
    {
        var stateDir = new Option<string>("--state-dir") { Description = "State directory of the simulated TD", DefaultValueFactory = _ => DefaultStateDirectory };
        var command = new Command("dev", "Run the simulated TD: print its measurements and a verified quote") { stateDir };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(stateDir)!, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string stateDirectory, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var td = SimulatedTd.Open(stateDirectory);
        var reportData = new byte[64];
        "dstack-agent dev"u8.CopyTo(reportData);
        var quoteBytes = await td.Device.GetQuoteAsync(reportData, cancellationToken).ConfigureAwait(false);
        var verdict = new QuoteVerifier(td.TrustRoot).Verify(quoteBytes, td.Pki.CreateCollateral(DateTimeOffset.UtcNow));
        var events = await td.ReadEventLogAsync(cancellationToken).ConfigureAwait(false);
        var quote = TdxQuote.Parse(quoteBytes);
        var check = RtmrReplay.Check(events, new RtmrValues(quote.Rtmrs[0].Span, quote.Rtmrs[1].Span, quote.Rtmrs[2].Span, quote.Rtmrs[3].Span));

        await output.WriteLineAsync($"simulated TD in {td.StateDirectory}").ConfigureAwait(false);
        await output.WriteLineAsync($"  mock DCAP root      {td.TrustRoot.Name} (public key sha256 {td.TrustRoot.PublicKeyFingerprint})").ConfigureAwait(false);
        await output.WriteLineAsync($"  mrtd                {Convert.ToHexStringLower(quote.MrTd.Span)}").ConfigureAwait(false);
        for (var i = 0; i < quote.Rtmrs.Count; i++)
        {
            await output.WriteLineAsync($"  rtmr{i}               {Convert.ToHexStringLower(quote.Rtmrs[i].Span)}").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"  quote               v{quote.Version}, {quoteBytes.Length} bytes, report data {Convert.ToHexStringLower(quote.ReportData.Span[..16])}…").ConfigureAwait(false);
        await output.WriteLineAsync($"  DCAP verification   {(verdict.IsValid ? "valid" : "INVALID: " + string.Join("; ", verdict.Failures))} (TCB status {verdict.TcbStatus})").ConfigureAwait(false);
        await output.WriteLineAsync($"  event log replay    {events.Count} events, {check.Describe()}").ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("Try:").ConfigureAwait(false);
        await output.WriteLineAsync($"  dotnet run --project src/Dstack.Agent -- quote --simulated --state-dir {stateDirectory} --report-data 0x1234 > quote.hex").ConfigureAwait(false);
        await output.WriteLineAsync($"  dotnet run --project src/Dstack.Agent -- verify-quote --simulated-root --state-dir {stateDirectory} quote.hex").ConfigureAwait(false);
        if (!verdict.IsValid || !check.IsMatch)
        {
            await error.WriteLineAsync("dev: the simulated TD is inconsistent (see above)").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }
}
