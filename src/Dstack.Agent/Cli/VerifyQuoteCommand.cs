using System.CommandLine;
using System.Text.Json;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.Quotes;
using Dstack.Attestation.Simulation;

namespace Dstack.Agent.Cli;

/// <summary><c>dstack-agent verify-quote [--simulated-root --state-dir DIR] FILE|-</c>: DCAP-verifies a quote and prints a JSON verdict.</summary>
internal static class VerifyQuoteCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Quote file, raw or hex; '-' reads standard input" };
        var simulatedRoot = new Option<bool>("--simulated-root") { Description = "Trust the mock DCAP root of the simulated TD in --state-dir instead of the Intel SGX Root CA" };
        var stateDir = new Option<string?>("--state-dir") { Description = "State directory of the simulated TD (with --simulated-root)" };
        var command = new Command("verify-quote", "Verify a TDX DCAP quote and print a JSON verdict; exits 1 when verification fails")
        {
            file, simulatedRoot, stateDir,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(simulatedRoot) && string.IsNullOrEmpty(result.GetValue(stateDir)))
            {
                result.AddError("--simulated-root needs --state-dir DIR (the simulated TD whose mock root to trust)");
            }
        });
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(file)!, parse.GetValue(simulatedRoot) ? parse.GetValue(stateDir) : null, Console.OpenStandardInput(), Console.Out, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>Verifies the quote in <paramref name="path"/>; exit code 0 when valid, 1 when not, 2 on unusable input.</summary>
    public static async Task<int> RunAsync(string path, string? simulatedStateDir, Stream stdin, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        byte[] quote;
        TrustRoot root;
        MockDcapPki? pki = null;
        try
        {
            quote = CliInput.HexOrRaw(await CliInput.ReadAllAsync(path, stdin, cancellationToken).ConfigureAwait(false));
            if (simulatedStateDir is null)
            {
                root = TrustRoot.IntelSgxRootCa;
            }
            else
            {
                pki = new MockDcapPki(MockAttestationSeed.Load(simulatedStateDir));
                root = pki.TrustRoot;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await error.WriteLineAsync($"verify-quote: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        using (pki)
        {
            var result = new QuoteVerifier(root).Verify(quote);
            await output.WriteLineAsync(ToJson(result)).ConfigureAwait(false);
            return result.IsValid ? 0 : 1;
        }
    }

    /// <summary>The verdict as indented JSON: validity, failures, trust root, measurements, report data, debug flag, TCB status.</summary>
    public static string ToJson(QuoteVerificationResult result)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("valid", result.IsValid);
            json.WriteStartArray("failures");
            foreach (var failure in result.Failures)
            {
                json.WriteStringValue(failure);
            }

            json.WriteEndArray();
            json.WriteStartObject("trust_root");
            json.WriteString("name", result.TrustRootName);
            json.WriteString("public_key_sha256", result.TrustRootFingerprint);
            json.WriteEndObject();
            json.WriteString("tcb_status", result.TcbStatus);
            json.WriteStartArray("advisory_ids");
            foreach (var id in result.AdvisoryIds)
            {
                json.WriteStringValue(id);
            }

            json.WriteEndArray();
            if (result.Fmspc is { } fmspc)
            {
                json.WriteString("fmspc", fmspc);
            }

            if (result.Quote is { } quote)
            {
                WriteQuote(json, quote);
            }

            json.WriteString("verified_at", result.VerifiedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteQuote(Utf8JsonWriter json, TdxQuote quote)
    {
        json.WriteNumber("version", quote.Version);
        json.WriteBoolean("debug", quote.IsDebug);
        json.WriteStartObject("measurements");
        Hex(json, "mr_td", quote.MrTd);
        for (var i = 0; i < quote.Rtmrs.Count; i++)
        {
            Hex(json, "rtmr" + i, quote.Rtmrs[i]);
        }

        Hex(json, "mr_config_id", quote.MrConfigId);
        Hex(json, "mr_owner", quote.MrOwner);
        Hex(json, "mr_owner_config", quote.MrOwnerConfig);
        Hex(json, "mr_seam", quote.Body.MrSeam);
        Hex(json, "mr_signer_seam", quote.Body.MrSignerSeam);
        Hex(json, "tee_tcb_svn", quote.Body.TeeTcbSvn);
        Hex(json, "td_attributes", quote.TdAttributes);
        Hex(json, "xfam", quote.Xfam);
        json.WriteEndObject();
        Hex(json, "report_data", quote.ReportData);
    }

    private static void Hex(Utf8JsonWriter json, string name, ReadOnlyMemory<byte> value) => json.WriteString(name, Convert.ToHexStringLower(value.Span));
}
