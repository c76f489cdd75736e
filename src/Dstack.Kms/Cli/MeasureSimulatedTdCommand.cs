using System.CommandLine;
using Dstack.Kms.Configuration;
using Dstack.Kms.Hosting;
using Microsoft.Extensions.Configuration;

namespace Dstack.Kms.Cli;

/// <summary>
/// <c>dstack-kms measure-simulated-td --config FILE [--compose TEXT]</c> (development): measures the instance's simulated TD
/// as a dstack KMS app (see <see cref="SimulatedAppBoot"/>), once, so that it has an identity for self-authorization;
/// refused unless <c>Tdx:Mode</c> is <c>simulated</c> and <c>Production</c> is false.
/// </summary>
internal static class MeasureSimulatedTdCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "JSON configuration file of the instance (Tdx:Mode simulated)", Required = true };
        var compose = new Option<string>("--compose")
        {
            Description = "The compose text the KMS app is measured with (its hash is the compose hash, its first 20 bytes the app id)",
            DefaultValueFactory = _ => SimulatedAppBoot.DefaultCompose,
        };
        var command = new Command("measure-simulated-td", "Development: measure this KMS's simulated TD as a dstack app (once), so that it has an app id and an mrAggregated") { config, compose };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(config)!.FullName, parse.GetValue(compose)!, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>Measures the TD; returns 0, or 2 when the configuration is not a non-production simulated one.</summary>
    public static async Task<int> RunAsync(string configPath, string compose, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var options = new KmsOptions();
        try
        {
            new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false).Build().Bind(options);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or InvalidOperationException)
        {
            await error.WriteLineAsync($"dstack-kms: cannot read {configPath}: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        if (options.Production || !string.Equals(options.Tdx.Mode, TdxOptions.Simulated, StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(options.Tdx.StateDirectory))
        {
            await error.WriteLineAsync("dstack-kms: measure-simulated-td needs Tdx:Mode simulated with a Tdx:StateDirectory and Production false").ConfigureAwait(false);
            return 2;
        }

        var measured = await SimulatedAppBoot.MeasureOnceAsync(options.Tdx.StateDirectory, compose, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(measured
            ? $"measured {options.Tdx.StateDirectory} as the KMS app '{compose}'"
            : $"{options.Tdx.StateDirectory} is measured already; left as it is").ConfigureAwait(false);
        return 0;
    }
}
