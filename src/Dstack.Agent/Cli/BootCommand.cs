using System.CommandLine;
using Dstack.Agent.Boot;
using Dstack.Agent.Hosting;

namespace Dstack.Agent.Cli;

/// <summary>
/// <c>dstack-agent boot [--config FILE]</c>: measures the app into RTMR3, obtains the app keys from the KMS, decrypts the
/// env, prepares the data disk and writes the keys for the socket API (tdx-boot §4). Rerunning after a failure resumes
/// without measuring anything twice; rerunning after success does nothing.
/// </summary>
internal static class BootCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config", "-c")
        {
            Description = "JSON configuration file (files, Tdx, Boot); defaults apply without it",
        };
        var command = new Command("boot", "Run the CVM boot sequence: measure the app, get its keys from the KMS, prepare env and disk") { config };
        command.SetAction((parse, cancellationToken) =>
            BootHost.RunAsync(new AgentHostSettings { ConfigPath = parse.GetValue(config)?.FullName }, Console.Error, onlyIfRequested: false, cancellationToken));
        return command;
    }
}
