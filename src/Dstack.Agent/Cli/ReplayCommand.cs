using System.CommandLine;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Attestation.Quotes;
using Dstack.Attestation.Simulation;

namespace Dstack.Agent.Cli;

/// <summary>
/// <c>dstack-agent replay FILE|-</c>: replays RTMR0–3 from an event log. When the input carries a quote (an attestation,
/// a GetQuote response), the quote is DCAP-verified first and the replay is then checked against its RTMRs.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Event log: JSON array, JSON with event_log (and quote), {\"attestation\":hex}, dstack attestation binary or CCEL binary; '-' reads standard input" };
        var simulatedRoot = new Option<bool>("--simulated-root") { Description = "Verify an embedded quote under the mock root of the simulated TD in --state-dir" };
        var stateDir = new Option<string?>("--state-dir") { Description = "State directory of the simulated TD (with --simulated-root)" };
        var command = new Command("replay", "Print RTMR0-3 replayed from an event log; checks an embedded quote first") { file, simulatedRoot, stateDir };
        command.Validators.Add(result =>
        {
            if (result.GetValue(simulatedRoot) && string.IsNullOrEmpty(result.GetValue(stateDir)))
            {
                result.AddError("--simulated-root needs --state-dir DIR");
            }
        });
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(file)!, parse.GetValue(simulatedRoot) ? parse.GetValue(stateDir) : null, Console.OpenStandardInput(), Console.Out, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>Exit code 0 when replayed (and, with a quote, verified and matching), 1 when the quote fails or mismatches, 2 on unusable input.</summary>
    public static async Task<int> RunAsync(string path, string? simulatedStateDir, Stream stdin, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ReplayInput input;
        try
        {
            input = ReplayInputParser.Parse(await CliInput.ReadAllAsync(path, stdin, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            await error.WriteLineAsync($"replay: {CliInput.Describe(path)}: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        QuoteVerificationResult? verdict = null;
        if (input.Quote is { } quote)
        {
            try
            {
                using var pki = simulatedStateDir is null ? null : new MockDcapPki(MockAttestationSeed.Load(simulatedStateDir));
                verdict = new QuoteVerifier(pki?.TrustRoot ?? TrustRoot.IntelSgxRootCa).Verify(quote);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                await error.WriteLineAsync("replay: " + e.Message).ConfigureAwait(false);
                return 2;
            }

            if (!verdict.IsValid)
            {
                // never replay a log whose quote does not verify: its events would be attacker-chosen input
                await output.WriteLineAsync(Json(input, verdict, check: null, replayed: null)).ConfigureAwait(false);
                return 1;
            }
        }

        RtmrValues replayed;
        try
        {
            replayed = RtmrReplay.Replay(input.Events);
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"replay: {CliInput.Describe(path)}: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        var check = verdict?.Quote is { } parsed ? RtmrReplay.Check(input.Events, RtmrsOf(parsed)) : null;
        await output.WriteLineAsync(Json(input, verdict, check, replayed)).ConfigureAwait(false);
        return check is { IsMatch: false } ? 1 : 0;
    }

    private static RtmrValues RtmrsOf(TdxQuote quote) =>
        new(quote.Rtmrs[0].Span, quote.Rtmrs[1].Span, quote.Rtmrs[2].Span, quote.Rtmrs[3].Span);

    private static string Json(ReplayInput input, QuoteVerificationResult? verdict, ReplayCheck? check, RtmrValues? replayed)
    {
        return CliJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("source", input.Source);
            json.WriteNumber("events", input.Events.Count);
            if (replayed is not null)
            {
                for (var i = 0; i < RtmrValues.Count; i++)
                {
                    json.WriteString("rtmr" + i, replayed.ToHex(i));
                }
            }

            if (verdict is not null)
            {
                json.WriteStartObject("quote");
                json.WriteBoolean("valid", verdict.IsValid);
                json.WriteString("trust_root", verdict.TrustRootName);
                json.WriteStartArray("failures");
                foreach (var failure in verdict.Failures)
                {
                    json.WriteStringValue(failure);
                }

                json.WriteEndArray();
                if (check is not null)
                {
                    json.WriteBoolean("replay_matches", check.IsMatch);
                    json.WriteStartArray("mismatches");
                    foreach (var mismatch in check.Mismatches)
                    {
                        json.WriteStartObject();
                        json.WriteString("rtmr", "rtmr" + mismatch.Index);
                        json.WriteString("quote", mismatch.Expected);
                        json.WriteString("replayed", mismatch.Replayed);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        });
    }
}
