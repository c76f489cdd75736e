using System.CommandLine;
using System.Text.Json.Nodes;
using Dstack.Ethereum.Contracts;
using Dstack.Gov.Chain;

namespace Dstack.Gov.Cli;

/// <summary>
/// <c>dstack-gov deploy-kms --rpc URL [--owner ADDR]</c>: deploys the DstackApp implementation, the DstackKms
/// implementation and its ERC1967 proxy initialised with <c>initialize(owner, appImplementation)</c>; prints the proxy.
/// </summary>
internal static class DeployKmsCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var owner = new Option<string?>("--owner") { Description = "The KMS owner (default: the sending account); may be a Safe or a timelock" };
        var command = new Command("deploy-kms", "Deploy DstackKms (behind an ERC1967 proxy) and the DstackApp implementation its factory uses") { owner };
        common.AddTo(command, transaction: true);
        command.SetAction((parse, cancellationToken) => RunAsync(
            common.Read(parse), parse.GetValue(owner), parse.GetValue(common.KeyFile), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    public static Task<int> RunAsync(ChainArguments chain, string? owner, string? keyFile, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        VerbRunner.RunAsync("deploy-kms", error, async () =>
        {
            var ownerAddress = Arguments.OptionalAddress("--owner", owner);
            using var connection = await GovConnection.OpenAsync(chain, cancellationToken).ConfigureAwait(false);
            using var signer = KeySource.Load(keyFile, Environment.GetEnvironmentVariable, error);
            using var sender = connection.CreateSender(signer);
            var effectiveOwner = ownerAddress ?? signer.Address;
            var appImplementation = await DstackAppContract.DeployImplementationAsync(sender, cancellationToken).ConfigureAwait(false);
            var kms = await DstackKmsContract.DeployAsync(sender, effectiveOwner, appImplementation, cancellationToken).ConfigureAwait(false);
            var block = await connection.Rpc.GetBlockNumberAsync(cancellationToken).ConfigureAwait(false);
            if (chain.Json)
            {
                await output.WriteLineAsync(GovJson.Write(new JsonObject
                {
                    ["kms"] = kms.Address.ToString(),
                    ["app_implementation"] = appImplementation.ToString(),
                    ["owner"] = effectiveOwner.ToString(),
                    ["chain_id"] = connection.ChainId,
                    ["block"] = block,
                })).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"DstackKms deployed on chain {connection.ChainId} (block {block})").ConfigureAwait(false);
                await output.WriteLineAsync($"  kms                 {kms.Address}").ConfigureAwait(false);
                await output.WriteLineAsync($"  app implementation  {appImplementation}").ConfigureAwait(false);
                await output.WriteLineAsync($"  owner               {effectiveOwner}").ConfigureAwait(false);
                await output.WriteLineAsync("Next: add-os-image --kms ADDR HASH, then deploy-app --kms ADDR").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
}
