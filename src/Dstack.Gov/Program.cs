using Dstack.Gov.Cli;

return await GovCli.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
