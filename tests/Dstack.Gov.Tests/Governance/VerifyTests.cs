using System.Text.Json.Nodes;
using Dstack.Gov.Tests.Agent;
using Dstack.Gov.Tests.Chain;

namespace Dstack.Gov.Tests.Governance;

/// <summary><c>dstack-gov verify</c> on the Safe-governed app: passes when everything holds, fails with the reason otherwise.</summary>
public sealed class VerifyTests(SafeChainFixture fixture) : IClassFixture<SafeChainFixture>
{
    private const string ComposeHash = "65b4e574f16973956908b6359920593c3b7d9f36f38e81a47f996a0c0d5435bb";

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
        var appHex = Convert.ToHexStringLower(fixture.App.Bytes);
        await using (var agent = await InfoResponder.StartAsync($$"""{"app_id":"{{appHex}}","instance_id":"","compose_hash":"{{ComposeHash}}","app_name":"demo"}"""))
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
        await using (var agent = await InfoResponder.StartAsync($$"""{"app_id":"{{other}}","compose_hash":"{{ComposeHash}}"}"""))
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
}
