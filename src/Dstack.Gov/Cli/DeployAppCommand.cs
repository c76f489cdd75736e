using System.CommandLine;
using System.Text.Json.Nodes;
using Dstack.Ethereum.Contracts;
using Dstack.Gov.Chain;

namespace Dstack.Gov.Cli;

/// <summary>
/// <c>dstack-gov deploy-app --kms ADDR [--owner ADDR] [--compose FILE | --compose-hash HEX] [--device HEX]
/// [--allow-any-device] [--require-tcb-up-to-date] [--disable-upgrades]</c>: deploys a DstackApp proxy through the
/// KMS factory (<c>deployAndRegisterApp</c>) and prints its address, which is the app id.
/// </summary>
internal static class DeployAppCommand
{
    /// <summary>The settings of a new app.</summary>
    /// <param name="Kms">The DstackKms address text.</param>
    /// <param name="Owner">The owner address text, or null for the sender.</param>
    /// <param name="ComposeFile">An app-compose.json to allow from the start.</param>
    /// <param name="ComposeHash">A compose hash to allow from the start.</param>
    /// <param name="Device">A device id to allow from the start.</param>
    /// <param name="AllowAnyDevice">Skip the device allow-list.</param>
    /// <param name="RequireTcbUpToDate">Refuse VMs whose TCB status is not UpToDate.</param>
    /// <param name="DisableUpgrades">Freeze the app contract's code.</param>
    internal sealed record Settings(
        string Kms,
        string? Owner = null,
        string? ComposeFile = null,
        string? ComposeHash = null,
        string? Device = null,
        bool AllowAnyDevice = false,
        bool RequireTcbUpToDate = false,
        bool DisableUpgrades = false);

    public static Command Create()
    {
        var common = new CommonOptions();
        var kms = new Option<string>("--kms") { Description = "The DstackKms contract whose factory deploys the app", Required = true };
        var owner = new Option<string?>("--owner") { Description = "The app owner (default: the sending account); may be a Safe or a timelock" };
        var compose = new Option<string?>("--compose") { Description = "Allow this app-compose.json from the start" };
        var composeHash = new Option<string?>("--compose-hash") { Description = "Allow this compose hash from the start" };
        var device = new Option<string?>("--device") { Description = "Allow this device id from the start" };
        var allowAny = new Option<bool>("--allow-any-device") { Description = "Let the app run on any device" };
        var requireTcb = new Option<bool>("--require-tcb-up-to-date") { Description = "Refuse VMs whose TCB status is not UpToDate" };
        var disableUpgrades = new Option<bool>("--disable-upgrades") { Description = "Make the app contract non-upgradeable from the start (one-way)" };
        var command = new Command("deploy-app", "Deploy a DstackApp through the KMS factory; its address is the app id")
        {
            kms, owner, compose, composeHash, device, allowAny, requireTcb, disableUpgrades,
        };
        common.AddTo(command, transaction: true);
        command.SetAction((parse, cancellationToken) => RunAsync(
            common.Read(parse),
            new Settings(
                parse.GetValue(kms)!,
                parse.GetValue(owner),
                parse.GetValue(compose),
                parse.GetValue(composeHash),
                parse.GetValue(device),
                parse.GetValue(allowAny),
                parse.GetValue(requireTcb),
                parse.GetValue(disableUpgrades)),
            parse.GetValue(common.KeyFile),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    public static Task<int> RunAsync(ChainArguments chain, Settings settings, string? keyFile, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        VerbRunner.RunAsync("deploy-app", error, async () =>
        {
            ArgumentNullException.ThrowIfNull(settings);
            var kmsAddress = Arguments.Address("--kms", settings.Kms);
            var ownerAddress = Arguments.OptionalAddress("--owner", settings.Owner);
            var composeHash = new byte[32];
            if (settings.ComposeFile is not null && settings.ComposeHash is not null)
            {
                throw new GovUsageException("give either --compose FILE or --compose-hash HEX, not both");
            }

            if (settings.ComposeFile is not null)
            {
                composeHash = await ComposeHashCommand.HashFileAsync(settings.ComposeFile, cancellationToken).ConfigureAwait(false);
            }
            else if (settings.ComposeHash is not null)
            {
                composeHash = Arguments.Bytes32("--compose-hash", settings.ComposeHash);
            }

            var device = settings.Device is null ? new byte[32] : Arguments.Bytes32("--device", settings.Device);
            using var connection = await GovConnection.OpenAsync(chain, cancellationToken).ConfigureAwait(false);
            using var signer = KeySource.Load(keyFile, Environment.GetEnvironmentVariable, error);
            using var sender = connection.CreateSender(signer);
            var effectiveOwner = ownerAddress ?? signer.Address;
            var kms = new DstackKmsContract(connection.Rpc, kmsAddress, sender);
            var (appId, receipt) = await kms.DeployAndRegisterAppAsync(
                effectiveOwner, settings.DisableUpgrades, settings.RequireTcbUpToDate, settings.AllowAnyDevice, device, composeHash, cancellationToken)
                .ConfigureAwait(false);
            if (chain.Json)
            {
                await output.WriteLineAsync(GovJson.Write(new JsonObject
                {
                    ["app_id"] = appId.ToString(),
                    ["kms"] = kmsAddress.ToString(),
                    ["owner"] = effectiveOwner.ToString(),
                    ["compose_hash"] = Arguments.Hex(composeHash),
                    ["transaction"] = Arguments.Hex(receipt.TransactionHash),
                    ["block"] = receipt.BlockNumber,
                })).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"DstackApp deployed and registered with {kmsAddress}").ConfigureAwait(false);
                await output.WriteLineAsync($"  app id        {appId}").ConfigureAwait(false);
                await output.WriteLineAsync($"  owner         {effectiveOwner}").ConfigureAwait(false);
                await output.WriteLineAsync($"  compose hash  {(composeHash.Any(b => b != 0) ? Arguments.Hex(composeHash) : "(none allowed yet)")}").ConfigureAwait(false);
                await output.WriteLineAsync($"  transaction   {Arguments.Hex(receipt.TransactionHash)} (block {receipt.BlockNumber})").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
}
