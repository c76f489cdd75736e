using System.CommandLine;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Quotes;

namespace Dstack.Agent.Cli;

/// <summary>
/// <c>dstack-agent verify-os-image [--vm-config FILE] FILE|-</c>: checks that the MRTD and RTMR0–2 of a quote are the
/// registers of the OS image its <c>vm_config</c> names (os-image-verification §3, the lite measurement the config
/// carries) and prints the verdict as JSON. The quote's own signature is <c>verify-quote</c>'s job.
/// </summary>
internal static class VerifyOsImageCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A GetQuote response JSON (quote, event_log, vm_config), an Attest response {\"attestation\":hex} or a dstack attestation binary; '-' reads standard input" };
        var vmConfig = new Option<string?>("--vm-config") { Description = "Read the vm_config JSON from this file instead of the input's" };
        var command = new Command("verify-os-image", "Check that a quote's MRTD and RTMR0-2 are those of the OS image its vm_config names; prints a JSON verdict, exits 1 when not verified")
        {
            file, vmConfig,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(file)!, parse.GetValue(vmConfig), Console.OpenStandardInput(), Console.Out, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>Exit code 0 when verified, 1 when not, 2 on unusable input.</summary>
    public static async Task<int> RunAsync(string path, string? vmConfigPath, Stream stdin, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ReplayInput input;
        string? vmConfig;
        try
        {
            input = ReplayInputParser.Parse(await CliInput.ReadAllAsync(path, stdin, cancellationToken).ConfigureAwait(false));
            vmConfig = vmConfigPath is null ? input.VmConfig : await File.ReadAllTextAsync(vmConfigPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            await error.WriteLineAsync($"verify-os-image: {CliInput.Describe(path)}: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        if (input.Quote is null)
        {
            await error.WriteLineAsync($"verify-os-image: {CliInput.Describe(path)} carries no quote (give a GetQuote response or an attestation)").ConfigureAwait(false);
            return 2;
        }

        if (vmConfig is null)
        {
            await error.WriteLineAsync($"verify-os-image: {CliInput.Describe(path)} carries no vm_config (give --vm-config FILE)").ConfigureAwait(false);
            return 2;
        }

        if (!TdxQuote.TryParse(input.Quote, out var quote, out var quoteError))
        {
            await error.WriteLineAsync($"verify-os-image: the quote is malformed: {quoteError.Message}").ConfigureAwait(false);
            return 2;
        }

        var verdict = Verify(vmConfig, OsImageRegisters.Of(TdMeasurements.Of(quote)), input.Events);
        await output.WriteLineAsync(verdict.ToJson(indented: true)).ConfigureAwait(false);
        return verdict.Verified ? 0 : 1;
    }

    private static OsImageVerdict Verify(string vmConfig, OsImageRegisters actual, IReadOnlyList<TdxEvent> events)
    {
        try
        {
            return OsImageVerifier.Verify(OsImageVmConfig.Parse(vmConfig), actual, events);
        }
        catch (OsImageException e)
        {
            return new OsImageVerdict { OsImageHash = string.Empty, Reason = e.Message, Mode = OsImageVerdict.LiteMode, Actual = actual };
        }
    }
}
