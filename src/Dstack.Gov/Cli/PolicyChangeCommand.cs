using System.CommandLine;
using Dstack.Ethereum.Contracts;

namespace Dstack.Gov.Cli;

/// <summary>
/// The allow-list verbs (<see cref="PolicyVerb.All"/>): <c>add-compose-hash --app ADDR HASH</c>,
/// <c>add-os-image --kms ADDR HASH</c>, … Each sends one owner transaction (or prints it with <c>--calldata</c>).
/// </summary>
internal static class PolicyChangeCommand
{
    public static IEnumerable<Command> CreateAll() => PolicyVerb.All.Select(Create);

    public static Command Create(PolicyVerb verb)
    {
        ArgumentNullException.ThrowIfNull(verb);
        var common = new CommonOptions();
        var contract = new Option<string>(verb.ContractOption)
        {
            Description = verb.OnApp ? "The DstackApp contract (the app id)" : "The DstackKms contract (proxy address)",
            Required = true,
        };
        var value = new Argument<string?>(verb.ValueName)
        {
            Description = "32 bytes of hex (optional 0x)",
            Arity = verb.AcceptsComposeFile ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
        };
        var compose = new Option<string?>("--compose") { Description = "Take the hash of this app-compose.json instead (SHA-256 of its exact bytes)" };
        var command = new Command(verb.Name, verb.Description) { contract, value };
        if (verb.AcceptsComposeFile)
        {
            command.Options.Add(compose);
        }

        common.AddTo(command, transaction: true);
        command.Options.Add(common.Calldata);
        command.SetAction((parse, cancellationToken) => RunAsync(
            verb,
            common.Read(parse),
            parse.GetValue(contract)!,
            parse.GetValue(value),
            verb.AcceptsComposeFile ? parse.GetValue(compose) : null,
            parse.GetValue(common.KeyFile),
            parse.GetValue(common.Calldata),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    /// <summary>Runs one allow-list verb.</summary>
    public static Task<int> RunAsync(
        PolicyVerb verb,
        ChainArguments chain,
        string contract,
        string? value,
        string? composeFile,
        string? keyFile,
        bool calldataOnly,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken) =>
        VerbRunner.RunAsync(verb.Name, error, async () =>
        {
            var address = Arguments.Address(verb.ContractOption, contract);
            byte[] hash;
            if (composeFile is not null)
            {
                if (value is not null)
                {
                    throw new GovUsageException($"give either {verb.ValueName} or --compose FILE, not both");
                }

                hash = await ComposeHashCommand.HashFileAsync(composeFile, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                hash = Arguments.Bytes32(verb.ValueName, value);
            }

            var abi = verb.OnApp ? DstackAppContract.Abi : DstackKmsContract.Abi;
            return await TransactionVerb.ExecuteAsync(chain, keyFile, calldataOnly, address, abi, verb.Signature, [hash], output, error, cancellationToken)
                .ConfigureAwait(false);
        });
}
