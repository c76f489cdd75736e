using System.CommandLine;

namespace Dstack.Gov.Cli;

/// <summary>
/// <c>dstack-gov transfer-ownership (--kms|--app) ADDR --to NEW</c>: step one of the two-step (Ownable2Step) transfer;
/// the new account becomes the pending owner and must run <c>accept-ownership</c>.
/// </summary>
internal static class TransferOwnershipCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var target = new ContractTarget();
        var to = new Option<string>("--to") { Description = "The proposed owner (an EOA, a Safe or a timelock)", Required = true };
        var command = new Command("transfer-ownership", "Propose a new owner; it takes over only after it runs accept-ownership") { to };
        target.AddTo(command);
        common.AddTo(command, transaction: true);
        command.Options.Add(common.Calldata);
        command.SetAction((parse, cancellationToken) => RunAsync(
            common.Read(parse),
            parse.GetValue(target.Kms),
            parse.GetValue(target.App),
            parse.GetValue(to)!,
            parse.GetValue(common.KeyFile),
            parse.GetValue(common.Calldata),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    public static Task<int> RunAsync(
        ChainArguments chain, string? kms, string? app, string to, string? keyFile, bool calldataOnly, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        VerbRunner.RunAsync("transfer-ownership", error, () =>
        {
            var (address, abi, _) = ContractTarget.Resolve(kms, app);
            var newOwner = Arguments.Address("--to", to);
            return TransactionVerb.ExecuteAsync(chain, keyFile, calldataOnly, address, abi, "transferOwnership(address)", [newOwner], output, error, cancellationToken);
        });
}
