using Dstack.LocalStack;

return await LocalStackCommand.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
