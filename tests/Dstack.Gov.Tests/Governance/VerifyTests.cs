using System.Text.Json.Nodes;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Simulation;
using Dstack.Gov.Tests.Agent;
using Dstack.Gov.Tests.Chain;

namespace Dstack.Gov.Tests.Governance;

/// <summary><c>dstack-gov verify</c> on the Safe-governed app: passes when everything holds, fails with the reason otherwise.</summary>
public sealed class VerifyTests(SafeChainFixture fixture) : IClassFixture<SafeChainFixture>
{
    private const string ComposeHash = "65b4e574f16973956908b6359920593c3b7d9f36f38e81a47f996a0c0d5435bb";

    private static readonly string SimulatedImage = SimulatedOsImage.Default.OsImageHashHex;

    private string AppHex => Convert.ToHexStringLower(fixture.App.Bytes);

    private string InfoJson(string osImageHash) =>
        $$"""{"app_id":"{{AppHex}}","instance_id":"","compose_hash":"{{ComposeHash}}","app_name":"demo","os_image_hash":"{{osImageHash}}"}""";

    private Task<Cli.CliRun> VerifyAsync(params string[] args) =>
        fixture.Chain.GovAsync("verify", ["--kms", fixture.Chain.Kms.ToString(), "--app", fixture.App.ToString(), .. args]);

    [Fact]
    public async Task Passes_for_an_allowed_compose_file_and_a_safe_owner_with_the_evidence()
    {
        var run = await VerifyAsync("--compose", SafeChainFixture.ComposeFile);
        var text = run.Succeeded();
        Assert.Matches(@"read at block \d+ \(", text);
        Assert.Contains($"[PASS] compose-hash: 0x{ComposeHash} is allowed by the app contract", text, StringComparison.Ordinal);
        Assert.Contains("app.allowedComposeHashes(hash) = true", text, StringComparison.Ordinal);
        Assert.Contains("kms.registeredApps(app) = true", text, StringComparison.Ordinal);
        Assert.Contains($"[PASS] owner: {fixture.Safe.Address} is a Safe multisig 2-of-3", text, StringComparison.Ordinal);
        Assert.Contains("[SKIP] agent-app-id", text, StringComparison.Ordinal);
        Assert.Contains("[SKIP] os-image: not checked (pass --agent SOCKET inside the CVM)", text, StringComparison.Ordinal);
        Assert.Contains("externally owned account", text, StringComparison.Ordinal); // the KMS owner note
        Assert.EndsWith("result: PASS", text.TrimEnd(), StringComparison.Ordinal);

        var json = JsonNode.Parse((await VerifyAsync("--compose-hash", ComposeHash, "--expect-owner", fixture.Safe.Address.ToString(), "--json")).Succeeded())!;
        Assert.True((bool)json["ok"]!);
        var owner = json["checks"]!.AsArray().Single(c => (string)c!["check"]! == "owner")!;
        Assert.Equal("pass", (string)owner["status"]!);
        Assert.Equal("safe", (string)owner["evidence"]!["app.owner"]!["kind"]!);
        Assert.Equal("2", (string)owner["evidence"]!["app.owner"]!["threshold"]!);
        Assert.Equal(3, owner["evidence"]!["app.owner"]!["signers"]!.AsArray().Count);
    }

    [Fact]
    public async Task Fails_when_the_compose_hash_is_not_allowed()
    {
        var run = await VerifyAsync("--compose-hash", GovChainFixture.Hex(GovChainFixture.RandomHash()));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("[FAIL] compose-hash", run.Output, StringComparison.Ordinal);
        Assert.Contains("\"Compose hash not allowed\"", run.Output, StringComparison.Ordinal);
        Assert.Contains("result: FAIL (1 of 2 checks failed)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_when_the_owner_is_not_the_expected_one()
    {
        var run = await VerifyAsync("--compose", SafeChainFixture.ComposeFile, "--expect-owner", GovChainFixture.Address(0).ToString());
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"[FAIL] owner: the owner is {fixture.Safe.Address} (a Safe multisig 2-of-3", run.Output, StringComparison.Ordinal);
        Assert.Contains($"not the expected {GovChainFixture.Address(0)}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_for_a_single_key_owner_unless_that_owner_is_expected()
    {
        var app = await fixture.Chain.DeployAppAsync("--compose", SafeChainFixture.ComposeFile);
        var args = new[] { "--kms", fixture.Chain.Kms.ToString(), "--app", app.ToString(), "--compose", SafeChainFixture.ComposeFile };
        var run = await fixture.Chain.GovAsync("verify", args);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("[FAIL] owner", run.Output, StringComparison.Ordinal);
        Assert.Contains("a single key can change the allow-list", run.Output, StringComparison.Ordinal);

        (await fixture.Chain.GovAsync("verify", [.. args, "--expect-owner", GovChainFixture.Address(0).ToString()])).Succeeded();
    }

    [Fact]
    public async Task Fails_for_an_app_the_kms_does_not_know()
    {
        var run = await fixture.Chain.GovAsync("verify", "--kms", fixture.Chain.Kms.ToString(), "--app", fixture.Safe.Address.ToString(), "--compose-hash", ComposeHash);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public async Task Checks_the_agents_measured_app_id_and_compose_hash()
    {
        var appHex = AppHex;
        await using (var agent = await InfoResponder.StartAsync(InfoJson(SimulatedImage)))
        {
            var text = (await VerifyAsync("--agent", agent.SocketPath)).Succeeded();
            Assert.Contains("[PASS] agent-app-id: the agent's measured app_id is the app contract", text, StringComparison.Ordinal);
            Assert.Contains($"Info.app_id = 0x{appHex}", text, StringComparison.Ordinal);
            Assert.Contains("source = the agent's measured compose_hash", text, StringComparison.Ordinal);
            (await VerifyAsync("--agent", agent.SocketPath, "--compose", SafeChainFixture.ComposeFile)).Succeeded();

            var mismatch = await VerifyAsync("--agent", agent.SocketPath, "--compose-hash", GovChainFixture.Hex(GovChainFixture.RandomHash()));
            Assert.Equal(1, mismatch.ExitCode);
            Assert.Contains($"the agent runs compose hash 0x{ComposeHash}, not the named", mismatch.Output, StringComparison.Ordinal);
        }

        var other = Convert.ToHexStringLower(fixture.Safe.Address.Bytes);
        await using (var agent = await InfoResponder.StartAsync($$"""{"app_id":"{{other}}","compose_hash":"{{ComposeHash}}","os_image_hash":"{{SimulatedImage}}"}"""))
        {
            var run = await VerifyAsync("--agent", agent.SocketPath);
            Assert.Equal(1, run.ExitCode);
            Assert.Contains($"[FAIL] agent-app-id: the agent's measured app_id 0x{other} is not the app contract {fixture.App}", run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Needs_a_compose_hash_source_and_a_reachable_agent()
    {
        var none = await VerifyAsync();
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--compose FILE, --compose-hash HEX, or --agent SOCKET", none.Error, StringComparison.Ordinal);

        var missing = await VerifyAsync("--agent", "/nonexistent/dstack.sock");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no socket at '/nonexistent/dstack.sock'", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passes_the_os_image_check_on_a_simulated_tds_quote_with_the_evidence()
    {
        var registers = SimulatedBootImage.Default.Boot().Registers;
        await using var agent = await InfoResponder.StartAsync(InfoJson(SimulatedImage));
        var text = (await VerifyAsync("--agent", agent.SocketPath)).Succeeded();
        Assert.Contains($"[PASS] os-image: the agent's quote over a fresh nonce has the registers of OS image 0x{SimulatedImage} (lite), which the KMS contract allows", text, StringComparison.Ordinal);
        Assert.Contains("the quote's DCAP signature is not checked here", text, StringComparison.Ordinal);
        Assert.Contains($"vm_config.os_image_hash = 0x{SimulatedImage}", text, StringComparison.Ordinal);
        Assert.Contains($"Info.os_image_hash = 0x{SimulatedImage}", text, StringComparison.Ordinal);
        Assert.Contains("kms.allowedOsImages(hash) = true", text, StringComparison.Ordinal);
        Assert.Contains("quote.report_data_is_nonce = true", text, StringComparison.Ordinal);
        Assert.Contains($"\"mrtd\":\"{Convert.ToHexStringLower(registers.MrTd)}\"", text, StringComparison.Ordinal);
        Assert.EndsWith("result: PASS", text.TrimEnd(), StringComparison.Ordinal);

        var json = JsonNode.Parse((await VerifyAsync("--agent", agent.SocketPath, "--json")).Succeeded())!;
        Assert.True((bool)json["ok"]!);
        var checks = json["checks"]!.AsArray();
        Assert.Equal(["compose-hash", "owner", "agent-app-id", "os-image"], checks.Select(c => (string)c!["check"]!));
        var check = checks[3]!;
        Assert.Equal("pass", (string)check["status"]!);
        var evidence = check["evidence"]!;
        Assert.Equal("lite", (string)evidence["mode"]!);
        Assert.True((bool)evidence["verified"]!);
        Assert.Null(evidence["reason"]);
        Assert.True((bool)evidence["kms.allowedOsImages(hash)"]!);
        var nonce = (string)evidence["nonce"]!;
        Assert.Equal(2 + 128, nonce.Length);
        Assert.Equal(nonce, (string)evidence["GetQuote.report_data"]!);
        foreach (var side in new[] { "expected", "actual" })
        {
            Assert.Equal(Convert.ToHexStringLower(registers.MrTd), (string)evidence[side]!["mrtd"]!);
            Assert.Equal(Convert.ToHexStringLower(registers.Rtmr0), (string)evidence[side]!["rtmr0"]!);
            Assert.Equal(Convert.ToHexStringLower(registers.Rtmr1), (string)evidence[side]!["rtmr1"]!);
            Assert.Equal(Convert.ToHexStringLower(registers.Rtmr2), (string)evidence[side]!["rtmr2"]!);
        }

        // every run sends a fresh nonce
        var again = JsonNode.Parse((await VerifyAsync("--agent", agent.SocketPath, "--json")).Succeeded())!;
        Assert.NotEqual(nonce, (string)again["checks"]![3]!["evidence"]!["nonce"]!);
    }

    [Fact]
    public async Task Fails_the_os_image_check_when_the_vm_config_claims_another_image()
    {
        var other = SimulatedOsImage.Create("other");
        var mismatch = OsImageRegisters.FirstMismatch(other.Boot(2UL << 30, "8.2.2").Registers, SimulatedBootImage.Default.Boot().Registers);
        Assert.NotNull(mismatch);
        await using var agent = await InfoResponder.StartAsync(
            InfoJson(other.OsImageHashHex), new GetQuoteBehaviour(VmConfig: other.VmConfig(2UL << 30, "8.2.2")));
        var run = await VerifyAsync("--agent", agent.SocketPath);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"[FAIL] os-image: the agent's registers are not those of OS image 0x{other.OsImageHashHex}: {mismatch}", run.Output, StringComparison.Ordinal);
        Assert.StartsWith("MRs do not match: ", mismatch, StringComparison.Ordinal);
        Assert.Contains("verified = false", run.Output, StringComparison.Ordinal);
        Assert.Contains($"OS image 0x{other.OsImageHashHex} is not in the KMS contract's allowedOsImages", run.Output, StringComparison.Ordinal);
        Assert.Contains("[PASS] agent-app-id", run.Output, StringComparison.Ordinal);
        Assert.Contains("result: FAIL (1 of 4 checks failed)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_the_os_image_check_when_the_image_is_not_allowed()
    {
        await using var agent = await InfoResponder.StartAsync(InfoJson(SimulatedImage));
        var run = await VerifyAsync("--agent", agent.SocketPath, "--block", fixture.BlockBeforeOsImage.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(
            $"[FAIL] os-image: OS image 0x{SimulatedImage} is not in the KMS contract's allowedOsImages (the KMS refuses it: \"OS image is not allowed\")",
            run.Output,
            StringComparison.Ordinal);
        Assert.Contains("verified = true", run.Output, StringComparison.Ordinal);
        Assert.Contains("kms.allowedOsImages(hash) = false", run.Output, StringComparison.Ordinal);
        Assert.Contains("result: FAIL (1 of 4 checks failed)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_the_os_image_check_when_the_agent_does_not_echo_the_nonce()
    {
        await using var agent = await InfoResponder.StartAsync(InfoJson(SimulatedImage), new GetQuoteBehaviour(ReplayedReportData: new byte[64]));
        var run = await VerifyAsync("--agent", agent.SocketPath, "--json");
        Assert.Equal(1, run.ExitCode);
        var json = JsonNode.Parse(run.Output)!;
        Assert.False((bool)json["ok"]!);
        var check = json["checks"]!.AsArray().Single(c => (string)c!["check"]! == "os-image")!;
        Assert.Equal("fail", (string)check["status"]!);
        var summary = (string)check["summary"]!;
        Assert.StartsWith("the agent's report_data does not echo the nonce (a stale or replayed answer); the quote's report data is not the nonce", summary, StringComparison.Ordinal);
        Assert.Equal("0x" + new string('0', 128), (string)check["evidence"]!["GetQuote.report_data"]!);
        Assert.False((bool)check["evidence"]!["quote.report_data_is_nonce"]!);
        Assert.True((bool)check["evidence"]!["verified"]!); // the replayed quote is of the right image: only freshness fails
        Assert.Equal(1, json["checks"]!.AsArray().Count(c => (string)c!["status"]! == "fail"));
    }
}
