using System.CommandLine;
using Dstack.Attestation.Devices;
using Dstack.Attestation.Simulation;

namespace Dstack.Agent.Cli;

/// <summary><c>dstack-agent quote [--simulated --state-dir DIR] --report-data HEX</c>: prints a TDX quote as hex.</summary>
internal static class QuoteCommand
{
    public static Command Create()
    {
        var simulated = new Option<bool>("--simulated") { Description = "Quote from the simulated TD in --state-dir instead of the TDX hardware" };
        var stateDir = new Option<string?>("--state-dir") { Description = "State directory of the simulated TD (created on first use)" };
        var reportData = new Option<string>("--report-data") { Description = "Up to 64 bytes of hex (optional 0x), right-padded with zeros", DefaultValueFactory = _ => "" };
        var command = new Command("quote", "Print a TDX DCAP quote over the given report data, as hex") { simulated, stateDir, reportData };
        command.Validators.Add(result =>
        {
            if (result.GetValue(simulated) && string.IsNullOrEmpty(result.GetValue(stateDir)))
            {
                result.AddError("--simulated needs --state-dir DIR");
            }
        });
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(simulated) ? parse.GetValue(stateDir) : null, parse.GetValue(reportData) ?? "", Console.Out, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>Writes the quote as one line of lowercase hex; exit code 2 on bad report data, 1 when the device fails.</summary>
    public static async Task<int> RunAsync(string? simulatedStateDir, string reportDataHex, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!ReportDataArgument.TryParse(reportDataHex, out var reportData, out var problem))
        {
            await error.WriteLineAsync("quote: --report-data: " + problem).ConfigureAwait(false);
            return 2;
        }

        try
        {
            byte[] quote;
            if (simulatedStateDir is not null)
            {
                using var td = SimulatedTd.Open(simulatedStateDir);
                quote = await td.Device.GetQuoteAsync(reportData, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                quote = await new LinuxTdxDevice().GetQuoteAsync(reportData, cancellationToken).ConfigureAwait(false);
            }

            await output.WriteLineAsync(Convert.ToHexStringLower(quote)).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is TdxDeviceException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await error.WriteLineAsync("quote: " + e.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
