using System.CommandLine;

namespace Dstack.Kms.Cli;

/// <summary>The command line: one file per verb in this folder.</summary>
internal static class KmsCli
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Create() => new("dstack-kms: key management service for dstack confidential VMs")
    {
        RunCommand.Create(),
        IdentityCommand.Create(),
        MeasureSimulatedTdCommand.Create(),
    };
}
