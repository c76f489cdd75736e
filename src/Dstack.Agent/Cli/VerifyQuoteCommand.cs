using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.Dcap.Pccs;
using Dstack.Attestation.Quotes;
using Dstack.Attestation.Simulation;

namespace Dstack.Agent.Cli;

/// <summary>
/// <c>dstack-agent verify-quote [--simulated-root --state-dir DIR] [--collateral FILE | --pccs URL] [--at TIME] FILE|-</c>:
/// DCAP-verifies a quote (with collateral from a file or fetched from a PCCS: its TCB status, spec dcap-collateral §3, §4) and
/// prints a JSON verdict.
/// </summary>
internal static class VerifyQuoteCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Quote file, raw or hex; '-' reads standard input" };
        var simulatedRoot = new Option<bool>("--simulated-root") { Description = "Trust the mock DCAP root of the simulated TD in --state-dir instead of the Intel SGX Root CA" };
        var stateDir = new Option<string?>("--state-dir") { Description = "State directory of the simulated TD (with --simulated-root)" };
        var collateral = new Option<string?>("--collateral") { Description = "DCAP collateral JSON (QuoteCollateralV3 shape) to evaluate the TCB status with" };
        var pccs = new Option<string?>("--pccs") { Description = "Fetch the collateral from this PCCS or Intel PCS base URL (TDX v4 API), e.g. " + PccsProtocol.PhalaPccsUrl };
        var sysConfig = new Option<string?>("--sys-config")
        {
            Description = "Fetch the collateral from the PCCS this sys-config names (its pccs_url; empty: " + PccsProtocol.PhalaPccsUrl + ", dstack's default)",
        };
        var at = new Option<string?>("--at") { Description = "Verification time: ISO-8601 UTC (2025-07-19T10:00:34Z) or Unix seconds; default now" };
        var command = new Command("verify-quote", "Verify a TDX DCAP quote and print a JSON verdict; exits 1 when verification fails")
        {
            file, simulatedRoot, stateDir, collateral, pccs, sysConfig, at,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(simulatedRoot) && string.IsNullOrEmpty(result.GetValue(stateDir)))
            {
                result.AddError("--simulated-root needs --state-dir DIR (the simulated TD whose mock root to trust)");
            }

            if (new[] { result.GetValue(collateral), result.GetValue(pccs), result.GetValue(sysConfig) }.Count(v => v is not null) > 1)
            {
                result.AddError("--collateral, --pccs and --sys-config are alternatives: give one");
            }

            if (result.GetValue(pccs) is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            {
                result.AddError($"--pccs: '{url}' is not an absolute http(s) URL");
            }

            if (result.GetValue(at) is { } time && !TryParseTime(time, out _))
            {
                result.AddError($"--at: '{time}' is neither an ISO-8601 UTC time (2025-07-19T10:00:34Z) nor Unix seconds");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            DateTimeOffset? time = parse.GetValue(at) is { } text && TryParseTime(text, out var parsed) ? parsed : null;
            var pccsUrl = parse.GetValue(pccs);
            if (parse.GetValue(sysConfig) is { } sysConfigPath)
            {
                try
                {
                    pccsUrl = PccsUrlOf(await File.ReadAllTextAsync(sysConfigPath, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException)
                {
                    await Console.Error.WriteLineAsync($"verify-quote: --sys-config {sysConfigPath}: {e.Message}").ConfigureAwait(false);
                    return 2;
                }
            }

            return await RunAsync(
                parse.GetValue(file)!, parse.GetValue(simulatedRoot) ? parse.GetValue(stateDir) : null, parse.GetValue(collateral), time,
                Console.OpenStandardInput(), Console.Out, Console.Error, cancellationToken, pccsUrl).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Verifies the quote in <paramref name="path"/> without collateral, now; exit code 0 when valid, 1 when not, 2 on unusable input.</summary>
    public static Task<int> RunAsync(string path, string? simulatedStateDir, Stream stdin, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(path, simulatedStateDir, null, null, stdin, output, error, cancellationToken);

    /// <summary>
    /// Verifies the quote in <paramref name="path"/>, with the collateral JSON in <paramref name="collateralPath"/> or fetched
    /// from the PCCS at <paramref name="pccsUrl"/> when given, at <paramref name="at"/> (default: the system clock); exit code 0
    /// when valid, 1 when not (or when the PCCS cannot supply collateral), 2 on unusable input.
    /// </summary>
    public static async Task<int> RunAsync(
        string path,
        string? simulatedStateDir,
        string? collateralPath,
        DateTimeOffset? at,
        Stream stdin,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken,
        string? pccsUrl = null)
    {
        byte[] quote;
        TrustRoot root;
        MockDcapPki? pki = null;
        DcapCollateral? collateral = null;
        try
        {
            quote = CliInput.HexOrRaw(await CliInput.ReadAllAsync(path, stdin, cancellationToken).ConfigureAwait(false));
            if (collateralPath is not null)
            {
                collateral = DcapCollateral.FromJson(await File.ReadAllBytesAsync(collateralPath, cancellationToken).ConfigureAwait(false));
            }

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
        catch (FormatException e)
        {
            await error.WriteLineAsync($"verify-quote: {collateralPath}: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        if (pccsUrl is not null)
        {
            try
            {
                collateral = await FetchCollateralAsync(quote, pccsUrl, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PccsException or FormatException)
            {
                pki?.Dispose();
                await error.WriteLineAsync($"verify-quote: collateral unavailable from {pccsUrl}: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        }

        using (pki)
        {
            TimeProvider clock = at is { } time ? new PinnedTimeProvider(time) : TimeProvider.System;
            var result = new QuoteVerifier(root, clock).Verify(quote, collateral);
            await output.WriteLineAsync(ToJson(result)).ConfigureAwait(false);
            return result.IsValid ? 0 : 1;
        }
    }

    /// <summary>The PCCS a sys-config names: its <c>pccs_url</c>, or dstack's default (Phala's PCCS) when empty or absent.</summary>
    /// <exception cref="JsonException">Not JSON.</exception>
    /// <exception cref="FormatException">Not an object, or <c>pccs_url</c> is not a string.</exception>
    internal static string PccsUrlOf(string sysConfigJson)
    {
        using var document = JsonDocument.Parse(sysConfigJson);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("a sys-config is a JSON object");
        }

        if (!document.RootElement.TryGetProperty("pccs_url", out var url) || url.ValueKind == JsonValueKind.Null)
        {
            return PccsProtocol.PhalaPccsUrl;
        }

        return url.ValueKind == JsonValueKind.String
            ? url.GetString() is { Length: > 0 } value ? value : PccsProtocol.PhalaPccsUrl
            : throw new FormatException("pccs_url must be a string");
    }

    private static async Task<DcapCollateral> FetchCollateralAsync(byte[] quote, string pccsUrl, CancellationToken cancellationToken)
    {
        if (!TdxQuote.TryParse(quote, out var parsed, out var problem))
        {
            throw new FormatException("malformed quote: " + problem.Message);
        }

        // spec dcap-collateral §3.1: dcap-qvl's client timeout
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(180) };
        return await new PccsClient(http, pccsUrl).FetchAsync(CollateralKey.Of(parsed), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The verdict as indented JSON: validity, failures, trust root, measurements, report data, debug flag, TCB status.</summary>
    public static string ToJson(QuoteVerificationResult result)
    {
        return CliJson.Write(json =>
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
            if (result.Tcb is { } tcb)
            {
                json.WriteString("platform_status", tcb.PlatformStatus);
                json.WriteString("qe_status", tcb.QeStatus);
                json.WriteString("collateral_valid_from", Utc(tcb.ValidFrom));
                json.WriteString("collateral_valid_until", Utc(tcb.ValidUntil));
            }

            if (result.Fmspc is { } fmspc)
            {
                json.WriteString("fmspc", fmspc);
            }

            if (result.Quote is { } quote)
            {
                WriteQuote(json, quote);
            }

            json.WriteString("verified_at", Utc(result.VerifiedAt));
            json.WriteEndObject();
        });
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

    /// <summary>Parses <c>--at</c>: an ISO-8601 UTC time (<c>2025-07-19T10:00:34Z</c>) or Unix seconds.</summary>
    internal static bool TryParseTime(string text, out DateTimeOffset time)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 253402300799)
        {
            time = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }

        string[] formats = ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];
        return DateTimeOffset.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void Hex(Utf8JsonWriter json, string name, ReadOnlyMemory<byte> value) => json.WriteString(name, Convert.ToHexStringLower(value.Span));
}
