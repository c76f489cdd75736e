using Dstack.Agent.Cli;

return await AgentCli.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
