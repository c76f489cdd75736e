using System.CommandLine;
using Dstack.Gov.Chain;

namespace Dstack.Gov.Cli;

/// <summary>The options shared by the verbs (<c>--rpc</c>, <c>--chain-id</c>, <c>--json</c>, <c>--key-file</c>, <c>--calldata</c>).</summary>
internal sealed class CommonOptions
{
    public Option<string[]> Rpc { get; } = new("--rpc")
    {
        Description = "JSON-RPC URL of the chain; repeat for failover (tried in order)",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<ulong?> ChainId { get; } = new("--chain-id") { Description = "Refuse to run unless the node serves this chain id" };

    public Option<bool> Json { get; } = new("--json") { Description = "Machine-readable JSON output" };

    public Option<string?> KeyFile { get; } = new("--key-file")
    {
        Description = "File holding the sender's private key as hex (default: the " + KeySource.EnvironmentVariable + " environment variable)",
    };

    public Option<bool> Calldata { get; } = new("--calldata")
    {
        Description = "Print the transaction (to, data) for a multisig or timelock owner instead of sending it; no key needed",
    };

    /// <summary>Adds the chain options (and, for transaction verbs, the key options) to a command.</summary>
    public void AddTo(Command command, bool transaction)
    {
        command.Options.Add(Rpc);
        command.Options.Add(ChainId);
        command.Options.Add(Json);
        if (transaction)
        {
            command.Options.Add(KeyFile);
        }
    }

    /// <summary>Reads the chain options.</summary>
    public ChainArguments Read(ParseResult parse) =>
        new(parse.GetValue(Rpc) ?? [], parse.GetValue(ChainId), parse.GetValue(Json));
}
