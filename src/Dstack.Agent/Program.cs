using System.CommandLine;
using Dstack.Agent.Cli;

var root = new RootCommand("dstack-agent: the dstack guest agent for Intel TDX confidential VMs")
{
    DevCommand.Create(),
    QuoteCommand.Create(),
    VerifyQuoteCommand.Create(),
    ReplayCommand.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
