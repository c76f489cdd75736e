using System.CommandLine;

namespace Dstack.Gov.Cli;

/// <summary><c>dstack-gov accept-ownership (--kms|--app) ADDR</c>: step two of the ownership transfer, sent by the pending owner.</summary>
internal static class AcceptOwnershipCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var target = new ContractTarget();
        var command = new Command("accept-ownership", "Become the owner (sent by the pending owner named by transfer-ownership)");
        target.AddTo(command);
        common.AddTo(command, transaction: true);
        command.Options.Add(common.Calldata);
        command.SetAction((parse, cancellationToken) => RunAsync(
            common.Read(parse),
            parse.GetValue(target.Kms),
            parse.GetValue(target.App),
            parse.GetValue(common.KeyFile),
            parse.GetValue(common.Calldata),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    public static Task<int> RunAsync(
        ChainArguments chain, string? kms, string? app, string? keyFile, bool calldataOnly, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        VerbRunner.RunAsync("accept-ownership", error, () =>
        {
            var (address, abi, _) = ContractTarget.Resolve(kms, app);
            return TransactionVerb.ExecuteAsync(chain, keyFile, calldataOnly, address, abi, "acceptOwnership()", [], output, error, cancellationToken);
        });
}
