using System.Security.Cryptography;
using System.Text.Json;
using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;
using Dstack.Gov.Tests.Cli;
using Dstack.Tests;

namespace Dstack.Gov.Tests.EndToEnd;

/// <summary>
/// The stack of <c>packaging/local-stack/onchain.sh</c>, driven from outside as a user would: the agent's socket, the
/// KMS's key files and logs, and dstack-gov against the chain the script deployed to.
/// </summary>
public sealed class OnChainStackTests(OnChainStackFixture fixture) : IClassFixture<OnChainStackFixture>
{
    private OnChainStackScript Stack => fixture.Stack;

    private static string Bare(string hex) => (hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex).ToLowerInvariant();

    private Task<CliRun> GovAsync(string verb, params string[] args) => CliRun.RunAsync([verb, .. args, "--rpc", Stack.Rpc, "--chain-id", "31337"]);

    [Fact]
    public async Task The_vm_booted_with_the_app_contract_as_app_id_and_the_compose_hash_the_chain_allows()
    {
        var composeFile = Path.Combine(Stack.Value("DSTACK_CHAIN_VM"), "app-compose.json");
        var expectedComposeHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(composeFile)));
        Assert.Equal(expectedComposeHash, Stack.ComposeHash);
        // the VM boots the sample app of dstack-agent dev, byte for byte
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(Dstack.Tests.SharedFiles.RepositoryRoot, "src", "Dstack.Agent", "Dev", "sample-app-compose.json")),
            await File.ReadAllBytesAsync(composeFile));

        using var info = await UnixSocketHttp.GetJsonAsync(Stack.DstackSocket, "/Info");
        var root = info.RootElement;
        Assert.Equal(Bare(Stack.App), root.GetProperty("app_id").GetString());
        Assert.Equal(40, root.GetProperty("app_id").GetString()!.Length);
        using var tcbInfo = JsonDocument.Parse(root.GetProperty("tcb_info").GetString()!);
        Assert.Equal(expectedComposeHash, tcbInfo.RootElement.GetProperty("compose_hash").GetString());
        Assert.Equal(Stack.Value("DSTACK_CHAIN_OS_IMAGE_HASH"), tcbInfo.RootElement.GetProperty("os_image_hash").GetString());
        // the VM's TD boots the default simulated OS-image bundle, and the chain allows exactly that image
        Assert.Equal(Dstack.Attestation.OsImage.SimulatedOsImage.Default.OsImageHashHex, Stack.Value("DSTACK_CHAIN_OS_IMAGE_HASH"));

        // the measured boot: the app-id and compose-hash events carry the contract and the hash
        var events = tcbInfo.RootElement.GetProperty("event_log").EnumerateArray()
            .Where(e => e.GetProperty("imr").GetInt32() == 3)
            .ToDictionary(e => e.GetProperty("event").GetString()!, e => e.GetProperty("event_payload").GetString()!);
        Assert.Equal(Bare(Stack.App), events["app-id"]);
        Assert.Equal(expectedComposeHash, events["compose-hash"]);
        Assert.Contains("system-ready", events.Keys);

        // the legacy socket serves the same identity
        using var tappd = await UnixSocketHttp.GetJsonAsync(Stack.TappdSocket, "/prpc/Tappd.Info");
        Assert.Equal(Bare(Stack.App), tappd.RootElement.GetProperty("app_id").GetString());

        // the KMS decided on chain, for this app, this compose hash and the device id the script reports
        var kmsLog = await File.ReadAllTextAsync(Stack.LogPath("kms"));
        Assert.Matches(
            $@"On-chain isAppAllowed at block \d+: allowed {Bare(Stack.App)} \(compose {expectedComposeHash}, device {Stack.Value("DSTACK_CHAIN_DEVICE_ID")},",
            kmsLog);
    }

    [Fact]
    public async Task GetKey_signature_chain_ends_at_the_kms_root_k256_key()
    {
        const string purpose = "signing";
        using var info = await UnixSocketHttp.GetJsonAsync(Stack.DstackSocket, "/Info");
        var appId = Convert.FromHexString(info.RootElement.GetProperty("app_id").GetString()!);
        using var answer = await UnixSocketHttp.GetJsonAsync(Stack.DstackSocket, "/GetKey?path=my/key&purpose=" + purpose);
        var key = Convert.FromHexString(answer.RootElement.GetProperty("key").GetString()!);
        var chain = answer.RootElement.GetProperty("signature_chain").EnumerateArray().Select(s => Convert.FromHexString(s.GetString()!)).ToArray();
        Assert.Equal(32, key.Length);
        Assert.Equal(2, chain.Length);

        var secp = LibSecp256k1.Instance;
        var derivedPublic = new byte[33];
        secp.GetPublicKey(key, derivedPublic);
        var appRoot = DerivedKeySignatures.RecoverAppRootKey(secp, chain[0], purpose, derivedPublic);
        Assert.NotNull(appRoot);
        var kmsRoot = KmsSignatures.RecoverSigner(secp, chain[1], KmsSignatures.KmsIssuedPrefix, appId, null, appRoot);
        Assert.NotNull(kmsRoot);

        // the KMS's root k256 key, from its key store: the private key file and the published bootstrap record
        var keys = Stack.Value("DSTACK_CHAIN_KMS_KEYS");
        var rootPublic = new byte[33];
        secp.GetPublicKey(await File.ReadAllBytesAsync(Path.Combine(keys, "root-k256.key")), rootPublic);
        Assert.Equal(Convert.ToHexStringLower(rootPublic), Convert.ToHexStringLower(kmsRoot));
        using var bootstrap = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(keys, "bootstrap-info.json")));
        Assert.Equal(bootstrap.RootElement.GetProperty("k256_pubkey").GetString(), Convert.ToHexStringLower(kmsRoot));
    }

    [Fact]
    public async Task Verify_with_the_agent_socket_passes_when_the_single_key_owner_is_expected()
    {
        var owner = Stack.Value("DSTACK_CHAIN_OWNER");
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", owner); // anvil's dev account 0
        string[] common = ["--kms", Stack.KmsContract, "--app", Stack.App, "--agent", Stack.DstackSocket];

        var passed = await GovAsync("verify", [.. common, "--expect-owner", owner]);
        var text = passed.Succeeded();
        Assert.Contains($"[PASS] compose-hash: 0x{Stack.ComposeHash} is allowed by the app contract", text, StringComparison.Ordinal);
        Assert.Contains("source = the agent's measured compose_hash", text, StringComparison.Ordinal);
        Assert.Contains($"[PASS] owner: {owner} is an externally owned account", text, StringComparison.Ordinal);
        Assert.Contains("[PASS] agent-app-id: the agent's measured app_id is the app contract", text, StringComparison.Ordinal);
        Assert.Contains($"Info.app_id = 0x{Bare(Stack.App)}", text, StringComparison.Ordinal);
        Assert.EndsWith("result: PASS", text.TrimEnd(), StringComparison.Ordinal);

        // without --expect-owner a single key is not good governance: only the owner check fails
        var failed = await GovAsync("verify", common);
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("[FAIL] owner", failed.Output, StringComparison.Ordinal);
        Assert.Contains("[PASS] compose-hash", failed.Output, StringComparison.Ordinal);
        Assert.Contains("[PASS] agent-app-id", failed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fresh_vm_is_refused_once_the_compose_hash_is_removed_and_boots_again_once_it_is_added_back()
    {
        var before = await Stack.BootVmAsync("allowed");
        Assert.True(before.ExitCode == 0, before.Output);
        Assert.Contains("VM 'allowed' booted: the KMS released its keys", before.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Stack.StateDirectory, "vm-allowed", "appkeys.json")));

        (await GovAsync("remove-compose-hash", "--key-file", Stack.KeyFile, "--app", Stack.App, Stack.ComposeHash)).Succeeded();
        try
        {
            var refused = await Stack.BootVmAsync("refused");
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("PermissionDenied: Boot denied: Compose hash not allowed", refused.Output, StringComparison.Ordinal);
            Assert.Contains("no keys were written", refused.Output, StringComparison.Ordinal);
            var vm = Path.Combine(Stack.StateDirectory, "vm-refused");
            Assert.True(Directory.Exists(vm));
            Assert.False(File.Exists(Path.Combine(vm, "appkeys.json")));
            var kmsLog = await File.ReadAllTextAsync(Stack.LogPath("kms"));
            Assert.Matches($@"isAppAllowed at block \d+: refused {Bare(Stack.App)} .*Compose hash not allowed", kmsLog);

            var history = (await GovAsync("history", "--app", Stack.App)).Succeeded();
            Assert.Contains($"ComposeHashRemoved(composeHash=0x{Stack.ComposeHash})", history, StringComparison.Ordinal);
        }
        finally
        {
            (await GovAsync("add-compose-hash", "--key-file", Stack.KeyFile, "--app", Stack.App, Stack.ComposeHash)).Succeeded();
        }

        var after = await Stack.BootVmAsync("allowed-again");
        Assert.True(after.ExitCode == 0, after.Output);
        Assert.True(File.Exists(Path.Combine(Stack.StateDirectory, "vm-allowed-again", "appkeys.json")));
    }

    [Fact]
    public async Task A_kms_whose_own_mr_governance_removes_refuses_every_vm_and_serves_again_once_it_is_added_back()
    {
        var kmsMr = Stack.Value("DSTACK_CHAIN_KMS_MR");
        var health = new Uri(Stack.Value("DSTACK_CHAIN_KMS_URL") + "/health");
        var at = await HealthAsync(health);
        Assert.Equal(System.Net.HttpStatusCode.OK, at.Status);

        (await GovAsync("remove-kms-mr", "--key-file", Stack.KeyFile, "--kms", Stack.KmsContract, kmsMr)).Succeeded();
        try
        {
            // the KMS checks itself again at its next decision at a newer block (this boot asks isAppAllowed), so this
            // one may still be served; afterwards it is refused
            await Stack.BootVmAsync("kms-notices");
            var denied = await UntilHealthAsync(health, System.Net.HttpStatusCode.ServiceUnavailable);
            var refused = await Stack.BootVmAsync("kms-refused");

            Assert.Equal("KMS not allowed: Aggregated MR not allowed", denied);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("PermissionDenied: KMS not allowed: Aggregated MR not allowed", refused.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(Stack.StateDirectory, "vm-kms-refused", "appkeys.json")));
            Assert.Contains("Self-authorization: this KMS is not allowed (Denied), refusing every key release: Aggregated MR not allowed",
                await File.ReadAllTextAsync(Stack.LogPath("kms")), StringComparison.Ordinal);
        }
        finally
        {
            (await GovAsync("add-kms-mr", "--key-file", Stack.KeyFile, "--kms", Stack.KmsContract, kmsMr)).Succeeded();
        }

        // a refused key release makes the KMS check itself again
        await Stack.BootVmAsync("kms-rechecks");
        Assert.Equal("OK", await UntilHealthAsync(health, System.Net.HttpStatusCode.OK));
        var after = await Stack.BootVmAsync("kms-allowed-again");
        Assert.True(after.ExitCode == 0, after.Output);
        Assert.True(File.Exists(Path.Combine(Stack.StateDirectory, "vm-kms-allowed-again", "appkeys.json")));
    }

    private static async Task<(System.Net.HttpStatusCode Status, string Body)> HealthAsync(Uri health)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler);
        using var response = await http.GetAsync(health);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls /health until it answers <paramref name="status"/> (a state change the KMS makes in the background); returns the body.</summary>
    private static async Task<string> UntilHealthAsync(Uri health, System.Net.HttpStatusCode status)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            var (current, body) = await HealthAsync(health);
            if (current == status)
            {
                return body;
            }

            await Task.Delay(200, deadline.Token);
        }
    }
}
