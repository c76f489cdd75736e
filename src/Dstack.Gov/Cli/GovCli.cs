using System.CommandLine;

namespace Dstack.Gov.Cli;

/// <summary>The <c>dstack-gov</c> command line: one file per verb (or family of verbs) in this folder, registered here.</summary>
internal static class GovCli
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("dstack-gov: govern and audit the on-chain KMS policy (DstackKms / DstackApp contracts)")
        {
            DeployKmsCommand.Create(),
            DeployAppCommand.Create(),
        };
        foreach (var verb in PolicyChangeCommand.CreateAll())
        {
            root.Subcommands.Add(verb);
        }

        root.Subcommands.Add(SetAllowAnyDeviceCommand.Create());
        root.Subcommands.Add(TransferOwnershipCommand.Create());
        root.Subcommands.Add(AcceptOwnershipCommand.Create());
        root.Subcommands.Add(ComposeHashCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(HistoryCommand.Create());
        return root;
    }

    /// <summary>Parses and runs a command line with the given writers (what tests and <c>Program</c> use).</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="cancellationToken">Cancels the verb.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
}
