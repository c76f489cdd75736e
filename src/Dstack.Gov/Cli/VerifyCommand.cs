using System.CommandLine;
using System.Text.Json.Nodes;
using Dstack.Ethereum;
using Dstack.Ethereum.Contracts;
using Dstack.Ethereum.Rpc;
using Dstack.Gov.Agent;
using Dstack.Gov.Chain;

namespace Dstack.Gov.Cli;

/// <summary>
/// <c>dstack-gov verify --rpc URL --kms ADDR --app ADDR [--compose FILE | --compose-hash HEX] [--expect-owner ADDR]
/// [--agent SOCKET]</c>: the four checks that an app's keys are governed on chain, all read at one pinned block:
/// (1) the live compose hash is allowed by the app contract registered with the KMS; (2) the owner is the expected
/// account, or else a Safe (threshold ≥ 2) or a TimelockController; (3) the agent's measured app_id is the app contract;
/// (4) the agent's quote over a fresh nonce matches the OS image its vm_config names, which the KMS contract allows
/// (<see cref="OsImageCheck"/>).
/// Exit code 1 if any check fails.
/// </summary>
internal static class VerifyCommand
{
    /// <summary>What to verify.</summary>
    /// <param name="Kms">The DstackKms address text.</param>
    /// <param name="App">The DstackApp address text (the app id).</param>
    /// <param name="ComposeFile">The app-compose.json the VM runs.</param>
    /// <param name="ComposeHash">Its hash, given directly.</param>
    /// <param name="ExpectOwner">The owner the auditor expects.</param>
    /// <param name="AgentSocket">The agent's Unix socket, to read the measured identity.</param>
    /// <param name="Block">A block tag or number to read at (default: the latest block, pinned).</param>
    internal sealed record Settings(
        string Kms,
        string App,
        string? ComposeFile = null,
        string? ComposeHash = null,
        string? ExpectOwner = null,
        string? AgentSocket = null,
        string? Block = null);

    public static Command Create()
    {
        var common = new CommonOptions();
        var kms = new Option<string>("--kms") { Description = "The DstackKms contract the KMS is configured with", Required = true };
        var app = new Option<string>("--app") { Description = "The DstackApp contract (the app id)", Required = true };
        var compose = new Option<string?>("--compose") { Description = "The app-compose.json the VM runs (its SHA-256 is the compose hash)" };
        var composeHash = new Option<string?>("--compose-hash") { Description = "The compose hash the VM runs" };
        var expectOwner = new Option<string?>("--expect-owner") { Description = "The owner you expect (your Safe or timelock)" };
        var agent = new Option<string?>("--agent") { Description = "The agent's Unix socket (e.g. /var/run/dstack.sock): compare its measured app_id and compose hash, and check its quote against its OS image" };
        var block = new Option<string?>("--block") { Description = "Read at this block number or tag (latest, safe, finalized); default: latest, pinned" };
        var command = new Command("verify", "Check that an app's keys are governed on chain: compose hash allowed, owner, agent app_id, agent OS image")
        {
            kms, app, compose, composeHash, expectOwner, agent, block,
        };
        common.AddTo(command, transaction: false);
        command.SetAction((parse, cancellationToken) => RunAsync(
            common.Read(parse),
            new Settings(
                parse.GetValue(kms)!,
                parse.GetValue(app)!,
                parse.GetValue(compose),
                parse.GetValue(composeHash),
                parse.GetValue(expectOwner),
                parse.GetValue(agent),
                parse.GetValue(block)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    public static Task<int> RunAsync(ChainArguments chain, Settings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        VerbRunner.RunAsync("verify", error, async () =>
        {
            ArgumentNullException.ThrowIfNull(settings);
            var kmsAddress = Arguments.Address("--kms", settings.Kms);
            var appAddress = Arguments.Address("--app", settings.App);
            var expectedOwner = Arguments.OptionalAddress("--expect-owner", settings.ExpectOwner);
            if (settings.ComposeFile is not null && settings.ComposeHash is not null)
            {
                throw new GovUsageException("give either --compose FILE or --compose-hash HEX, not both");
            }

            if (settings.ComposeFile is null && settings.ComposeHash is null && settings.AgentSocket is null)
            {
                throw new GovUsageException("name the compose hash to check: --compose FILE, --compose-hash HEX, or --agent SOCKET (its measured compose hash)");
            }

            byte[]? namedHash = null;
            var namedSource = string.Empty;
            if (settings.ComposeFile is not null)
            {
                namedHash = await ComposeHashCommand.HashFileAsync(settings.ComposeFile, cancellationToken).ConfigureAwait(false);
                namedSource = $"sha256 of '{settings.ComposeFile}'";
            }
            else if (settings.ComposeHash is not null)
            {
                namedHash = Arguments.Bytes32("--compose-hash", settings.ComposeHash);
                namedSource = "--compose-hash";
            }

            BlockTag? requested = null;
            if (settings.Block is not null)
            {
                try
                {
                    requested = BlockTag.Parse(settings.Block);
                }
                catch (FormatException)
                {
                    throw new GovUsageException($"--block: '{settings.Block}' is not a block number or one of latest, safe, finalized");
                }
            }

            AgentInfo? agent = null;
            AgentQuote? quote = null;
            if (settings.AgentSocket is not null)
            {
                using var socket = AgentSocketClient.Open(settings.AgentSocket);
                agent = await AgentInfoClient.GetAsync(socket, cancellationToken).ConfigureAwait(false);
                quote = await AgentQuoteClient.GetAsync(socket, cancellationToken).ConfigureAwait(false);
            }

            using var connection = await GovConnection.OpenAsync(chain, cancellationToken).ConfigureAwait(false);
            var header = await connection.Rpc.GetBlockAsync(requested ?? BlockTag.Latest, cancellationToken).ConfigureAwait(false)
                ?? throw new GovFailureException($"block {requested} is not available on this node");
            var at = BlockTag.AtNumber(header.Number);
            var time = DateTimeOffset.FromUnixTimeSeconds((long)header.Timestamp);
            var kms = new DstackKmsContract(connection.Rpc, kmsAddress);
            var app = new DstackAppContract(connection.Rpc, appAddress);

            var checks = new List<VerifyCheck>
            {
                await CheckComposeHashAsync(connection.Rpc, kms, app, at, namedHash, namedSource, agent, cancellationToken).ConfigureAwait(false),
                await CheckOwnerAsync(connection.Rpc, app, at, expectedOwner, cancellationToken).ConfigureAwait(false),
                CheckAgent(appAddress, agent, settings.AgentSocket),
                await OsImageCheck.RunAsync(kms, at, quote, agent, cancellationToken).ConfigureAwait(false),
            };
            var kmsOwner = await DescribeOwnerAsync(connection.Rpc, kms.OwnerAsync(at, cancellationToken), at, cancellationToken).ConfigureAwait(false);
            var failed = checks.Count(c => c.Passed == false);

            if (chain.Json)
            {
                await output.WriteLineAsync(GovJson.Write(new JsonObject
                {
                    ["ok"] = failed == 0,
                    ["chain_id"] = connection.ChainId,
                    ["block"] = header.Number,
                    ["block_time"] = time.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["kms"] = kmsAddress.ToString(),
                    ["app"] = appAddress.ToString(),
                    ["kms_owner"] = kmsOwner?.ToJson(),
                    ["checks"] = new JsonArray(checks.Select(c => (JsonNode)c.ToJson()).ToArray()),
                })).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"app {appAddress} under kms {kmsAddress}, chain {connection.ChainId}, read at block {header.Number} ({time:u})").ConfigureAwait(false);
                foreach (var check in checks)
                {
                    await output.WriteLineAsync($"[{check.Status}] {check.Name}: {check.Summary}").ConfigureAwait(false);
                    foreach (var (key, value) in check.Evidence)
                    {
                        await output.WriteLineAsync($"       {key} = {Flatten(value)}").ConfigureAwait(false);
                    }
                }

                if (kmsOwner is not null)
                {
                    await output.WriteLineAsync($"note: the KMS (OS images, app registry) is owned by {kmsOwner.Address}, {kmsOwner.Describe()}").ConfigureAwait(false);
                }

                await output.WriteLineAsync(failed == 0
                    ? "result: PASS"
                    : $"result: FAIL ({failed} of {checks.Count(c => c.Passed is not null)} checks failed)").ConfigureAwait(false);
            }

            return failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });

    private static async Task<VerifyCheck> CheckComposeHashAsync(
        EthereumRpcClient rpc,
        DstackKmsContract kms,
        DstackAppContract app,
        BlockTag at,
        byte[]? namedHash,
        string namedSource,
        AgentInfo? agent,
        CancellationToken cancellationToken)
    {
        const string name = "compose-hash";
        var evidence = new JsonObject();
        var hash = namedHash ?? agent?.ComposeHash;
        if (hash is null)
        {
            return new VerifyCheck(name, false, "the agent's Info has no compose_hash and none was named", evidence);
        }

        evidence["compose_hash"] = Arguments.Hex(hash);
        evidence["source"] = namedHash is not null ? namedSource : "the agent's measured compose_hash";
        if (agent?.ComposeHash is { } measured)
        {
            evidence["agent_compose_hash"] = Arguments.Hex(measured);
            if (namedHash is not null && !measured.AsSpan().SequenceEqual(namedHash))
            {
                return new VerifyCheck(name, false, $"the agent runs compose hash {Arguments.Hex(measured)}, not the named {Arguments.Hex(namedHash)}", evidence);
            }
        }

        var code = await rpc.GetCodeAsync(app.Address, at, cancellationToken).ConfigureAwait(false);
        evidence["app_code_bytes"] = code.Length;
        if (code.Length == 0)
        {
            return new VerifyCheck(name, false, $"no contract at {app.Address}", evidence);
        }

        var registered = await kms.RegisteredAppsAsync(app.Address, at, cancellationToken).ConfigureAwait(false);
        evidence["kms.registeredApps(app)"] = registered;
        var allowed = await app.AllowedComposeHashesAsync(hash, at, cancellationToken).ConfigureAwait(false);
        evidence["app.allowedComposeHashes(hash)"] = allowed;
        evidence["app.allowAnyDevice"] = await app.AllowAnyDeviceAsync(at, cancellationToken).ConfigureAwait(false);
        evidence["app.requireTcbUpToDate"] = await app.RequireTcbUpToDateAsync(at, cancellationToken).ConfigureAwait(false);
        if (!registered)
        {
            return new VerifyCheck(name, false, $"the app is not registered with the KMS contract {kms.Address}, so the KMS refuses it (\"App not registered\")", evidence);
        }

        return allowed
            ? new VerifyCheck(name, true, $"{Arguments.Hex(hash)} is allowed by the app contract", evidence)
            : new VerifyCheck(name, false, $"{Arguments.Hex(hash)} is not allowed by the app contract (the KMS refuses it: \"Compose hash not allowed\")", evidence);
    }

    private static async Task<VerifyCheck> CheckOwnerAsync(EthereumRpcClient rpc, DstackAppContract app, BlockTag at, EvmAddress? expected, CancellationToken cancellationToken)
    {
        const string name = "owner";
        var owner = await OwnerInspector.InspectAsync(rpc, await app.OwnerAsync(at, cancellationToken).ConfigureAwait(false), at, cancellationToken).ConfigureAwait(false);
        var pending = await app.PendingOwnerAsync(at, cancellationToken).ConfigureAwait(false);
        var evidence = new JsonObject { ["app.owner"] = owner.ToJson() };
        if (!pending.IsZero)
        {
            evidence["app.pendingOwner"] = pending.ToString();
        }

        var what = $"{owner.Address} is {owner.Describe()}";
        if (expected is { } wanted)
        {
            evidence["expected_owner"] = wanted.ToString();
            return owner.Address == wanted
                ? new VerifyCheck(name, true, what + ", as expected", evidence)
                : new VerifyCheck(name, false, $"the owner is {owner.Address} ({owner.Describe()}), not the expected {wanted}", evidence);
        }

        return owner.Kind switch
        {
            OwnerKind.Safe when owner.Threshold >= 2 => new VerifyCheck(name, true, what, evidence),
            OwnerKind.Safe => new VerifyCheck(name, false, what + ": one signer alone can change the allow-list", evidence),
            OwnerKind.Timelock => new VerifyCheck(name, true, what, evidence),
            OwnerKind.ExternallyOwnedAccount => new VerifyCheck(name, false, what + ": a single key can change the allow-list (pass --expect-owner if that is intended)", evidence),
            _ => new VerifyCheck(name, false, what + ": cannot tell who controls it (pass --expect-owner after reviewing it)", evidence),
        };
    }

    private static VerifyCheck CheckAgent(EvmAddress app, AgentInfo? agent, string? socket)
    {
        const string name = "agent-app-id";
        if (agent is null)
        {
            return new VerifyCheck(name, null, "not checked (pass --agent SOCKET inside the CVM)", []);
        }

        var evidence = new JsonObject { ["agent"] = socket, ["Info.app_id"] = Arguments.Hex(agent.AppId) };
        return agent.AppId.AsSpan().SequenceEqual(app.Bytes)
            ? new VerifyCheck(name, true, "the agent's measured app_id is the app contract", evidence)
            : new VerifyCheck(name, false, $"the agent's measured app_id {Arguments.Hex(agent.AppId)} is not the app contract {app}", evidence);
    }

    private static async Task<OwnerDescription?> DescribeOwnerAsync(EthereumRpcClient rpc, Task<EvmAddress> owner, BlockTag at, CancellationToken cancellationToken)
    {
        try
        {
            return await OwnerInspector.InspectAsync(rpc, await owner.ConfigureAwait(false), at, cancellationToken).ConfigureAwait(false);
        }
        catch (EthereumException)
        {
            return null;
        }
    }

    private static string Flatten(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v => v.ToString(),
        _ => value.ToJsonString(),
    };
}
