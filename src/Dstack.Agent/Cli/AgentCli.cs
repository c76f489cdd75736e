using System.CommandLine;

namespace Dstack.Agent.Cli;

/// <summary>The command line: one file per verb in this folder, registered here with one line each.</summary>
internal static class AgentCli
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Create() => new("dstack-agent: the dstack guest agent for Intel TDX confidential VMs")
    {
        RunCommand.Create(),
        BootCommand.Create(),
        DevCommand.Create(),
        QuoteCommand.Create(),
        VerifyQuoteCommand.Create(),
        VerifyOsImageCommand.Create(),
        SimulatedVmConfigCommand.Create(),
        ReplayCommand.Create(),
    };
}
