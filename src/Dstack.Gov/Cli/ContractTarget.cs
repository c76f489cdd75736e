using System.CommandLine;
using Dstack.Ethereum;
using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Contracts;

namespace Dstack.Gov.Cli;

/// <summary>The <c>--kms ADDR | --app ADDR</c> pair of verbs that work on either contract.</summary>
internal sealed class ContractTarget
{
    public Option<string?> Kms { get; } = new("--kms") { Description = "The DstackKms contract (proxy address)" };

    public Option<string?> App { get; } = new("--app") { Description = "The DstackApp contract (the app id)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Kms);
        command.Options.Add(App);
    }

    /// <summary>Resolves exactly one of the two options to an address and the contract's ABI.</summary>
    public static (EvmAddress Address, ContractAbi Abi, string Kind) Resolve(string? kms, string? app)
    {
        if ((kms is null) == (app is null))
        {
            throw new GovUsageException("give exactly one of --kms ADDR or --app ADDR");
        }

        return kms is not null
            ? (Arguments.Address("--kms", kms), DstackKmsContract.Abi, "DstackKms")
            : (Arguments.Address("--app", app), DstackAppContract.Abi, "DstackApp");
    }
}
