using System.Text.Json.Nodes;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Quotes;
using Dstack.Ethereum.Contracts;
using Dstack.Ethereum.Rpc;
using Dstack.Gov.Agent;

namespace Dstack.Gov.Cli;

/// <summary>
/// <c>verify</c>'s fourth check, <c>os-image</c>: the agent's quote over a fresh nonce has the MRTD and RTMR0–2 of the
/// OS image its <c>vm_config</c> names (the lite computation of os-image-verification §3, with the measurement the
/// config carries), its Info reports that image, and the KMS contract lists it in <c>allowedOsImages</c> at the pinned
/// block. The quote's DCAP signature is not checked (that needs the platform's trust root: <c>dstack-agent verify-quote</c>).
/// </summary>
internal static class OsImageCheck
{
    /// <summary>The check's name.</summary>
    public const string Name = "os-image";

    /// <summary>The reason the KMS contract and the KMS give for an OS image outside <c>allowedOsImages</c>.</summary>
    public const string NotAllowedReason = "OS image is not allowed";

    private const string SignatureNote = "the quote's DCAP signature is not checked here (that needs the platform's trust root: dstack-agent verify-quote)";

    /// <summary>Runs the check; SKIP when <paramref name="quote"/> is null (no <c>--agent</c>).</summary>
    public static async Task<VerifyCheck> RunAsync(
        DstackKmsContract kms, BlockTag at, AgentQuote? quote, AgentInfo? info, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kms);
        if (quote is null)
        {
            return new VerifyCheck(Name, null, "not checked (pass --agent SOCKET inside the CVM)", []);
        }

        var evidence = new JsonObject { ["nonce"] = Arguments.Hex(quote.Nonce) };
        var problems = new List<string>();
        evidence["GetQuote.report_data"] = quote.ReportData is null ? null : Arguments.Hex(quote.ReportData);
        if (quote.ReportData is null || !quote.ReportData.AsSpan().SequenceEqual(quote.Nonce))
        {
            problems.Add("the agent's report_data does not echo the nonce (a stale or replayed answer)");
        }

        if (quote.Quote is null)
        {
            return Fail(evidence, problems, "the agent's GetQuote answer carries no quote");
        }

        if (!TdxQuote.TryParse(quote.Quote, out var parsed, out var quoteError))
        {
            return Fail(evidence, problems, "the agent's quote is malformed: " + quoteError.Message);
        }

        var bound = parsed.ReportData.Span.SequenceEqual(quote.Nonce);
        evidence["quote.report_data_is_nonce"] = bound;
        if (!bound)
        {
            problems.Add("the quote's report data is not the nonce (the quote is not fresh)");
        }

        if (quote.VmConfig is null)
        {
            return Fail(evidence, problems, "the agent's GetQuote answer carries no vm_config");
        }

        OsImageVmConfig config;
        try
        {
            config = OsImageVmConfig.Parse(quote.VmConfig);
        }
        catch (OsImageException e)
        {
            return Fail(evidence, problems, "the agent's vm_config is unusable: " + e.Message);
        }

        var hash = config.OsImageHash;
        var hashHex = Arguments.Hex(hash);
        evidence["vm_config.os_image_hash"] = hashHex;
        if (hash.Length != 32)
        {
            return Fail(evidence, problems, $"vm_config.os_image_hash {hashHex} is not 32 bytes");
        }

        var verdict = OsImageVerifier.Verify(config, OsImageRegisters.Of(TdMeasurements.Of(parsed)), quote.Events);
        var verdictJson = JsonNode.Parse(verdict.ToJson())!.AsObject();
        evidence["mode"] = verdict.Mode;
        evidence["verified"] = verdict.Verified;
        if (verdict.Reason is not null)
        {
            evidence["reason"] = verdict.Reason;
        }

        evidence["expected"] = verdictJson["expected"]?.DeepClone();
        evidence["actual"] = verdictJson["actual"]?.DeepClone();

        evidence["Info.os_image_hash"] = info?.OsImageHash is { } reported ? Arguments.Hex(reported) : null;
        if (info?.OsImageHash is not { } claimed || !claimed.AsSpan().SequenceEqual(hash))
        {
            problems.Add($"the agent's Info.os_image_hash is {(info?.OsImageHash is { } h ? Arguments.Hex(h) : "absent")}, not the vm_config's {hashHex}");
        }

        var allowed = await kms.AllowedOsImagesAsync(hash, at, cancellationToken).ConfigureAwait(false);
        evidence["kms.allowedOsImages(hash)"] = allowed;
        if (!verdict.Verified)
        {
            problems.Add($"the agent's registers are not those of OS image {hashHex}: {verdict.Reason}");
        }

        if (!allowed)
        {
            problems.Add($"OS image {hashHex} is not in the KMS contract's allowedOsImages (the KMS refuses it: \"{NotAllowedReason}\")");
        }

        return problems.Count == 0
            ? new VerifyCheck(Name, true, $"the agent's quote over a fresh nonce has the registers of OS image {hashHex} ({verdict.Mode}), which the KMS contract allows; {SignatureNote}", evidence)
            : new VerifyCheck(Name, false, string.Join("; ", problems) + "; " + SignatureNote, evidence);
    }

    private static VerifyCheck Fail(JsonObject evidence, List<string> problems, string problem)
    {
        problems.Add(problem);
        return new VerifyCheck(Name, false, string.Join("; ", problems), evidence);
    }
}
