using System.CommandLine;
using Dstack.Agent.Cli;

var root = new RootCommand("dstack-agent: the dstack guest agent for Intel TDX confidential VMs")
{
    VerifyQuoteCommand.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
