using Dstack.Kms.Cli;

return await KmsCli.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
