using System.Text.Json.Nodes;
using Dstack.Ethereum.Contracts;
using Dstack.Ethereum.Transactions;
using Dstack.Gov.Tests.Chain;

namespace Dstack.Gov.Tests.Governance;

/// <summary>An app owned by a Safe 2-of-3: one signer cannot change the allow-list, two can.</summary>
public sealed class SafeOwnerTests(SafeChainFixture fixture) : IClassFixture<SafeChainFixture>
{
    [Fact]
    public async Task The_safe_owns_the_app_after_the_two_step_transfer()
    {
        var app = new DstackAppContract(fixture.Chain.Node.Rpc, fixture.App);
        Assert.Equal(fixture.Safe.Address, await app.OwnerAsync());
        Assert.True(await app.AllowedComposeHashesAsync(Convert.FromHexString("65b4e574f16973956908b6359920593c3b7d9f36f38e81a47f996a0c0d5435bb")));
    }

    [Fact]
    public async Task The_eip712_safe_transaction_hash_matches_the_safe_contract()
    {
        Assert.Equal("47e79534a245952e8b16893a336b85a3d9ea9fa8c573f3d803afb92a79469218", Convert.ToHexStringLower(SafeMultisig.DomainTypeHash));
        Assert.Equal("bb8310d486368db6bd6f849402fdd73ad53d316b5a4b2644ad6efe0f941286d8", Convert.ToHexStringLower(SafeMultisig.SafeTxTypeHash));
        var data = await SafeChainFixture.CalldataAsync("add-compose-hash", "--app", fixture.App.ToString(), GovChainFixture.Hex(GovChainFixture.RandomHash()));
        var nonce = await fixture.Safe.NonceAsync();
        Assert.Equal(await fixture.Safe.OnChainTransactionHashAsync(fixture.App, data, nonce), await fixture.Safe.TransactionHashAsync(fixture.App, data, nonce));
    }

    [Fact]
    public async Task One_signer_alone_cannot_change_the_allow_list()
    {
        var hash = GovChainFixture.RandomHash();
        var boot = fixture.Chain.BootInfo(fixture.App, hash);
        var data = await SafeChainFixture.CalldataAsync("add-compose-hash", "--app", fixture.App.ToString(), GovChainFixture.Hex(hash));

        var alone = await Assert.ThrowsAsync<TransactionRevertedException>(() => fixture.Safe.ExecuteAsync(fixture.Submitter, fixture.App, data, fixture.Signers[0]));
        Assert.Equal("GS020", alone.Reason?.Message);
        Assert.Equal("Compose hash not allowed", (await fixture.Chain.KmsContract.IsAppAllowedAsync(boot)).Reason);

        // a signer's key used directly, outside the Safe, is not the owner either
        var direct = await fixture.Chain.GovAsAsync(1, "add-compose-hash", "--app", fixture.App.ToString(), GovChainFixture.Hex(hash));
        Assert.Equal(1, direct.ExitCode);
        Assert.Contains("OwnableUnauthorizedAccount", direct.Error, StringComparison.Ordinal);
        Assert.Contains($"({fixture.Safe.Address} is)", direct.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_signers_can_change_the_allow_list()
    {
        var hash = GovChainFixture.RandomHash();
        var boot = fixture.Chain.BootInfo(fixture.App, hash);
        var add = await SafeChainFixture.CalldataAsync("add-compose-hash", "--app", fixture.App.ToString(), GovChainFixture.Hex(hash));
        await fixture.Safe.ExecuteAsync(fixture.Submitter, fixture.App, add, fixture.Signers[2], fixture.Signers[0]);
        Assert.Equal(new AuthorizationResult(true, string.Empty), await fixture.Chain.KmsContract.IsAppAllowedAsync(boot));

        var remove = await SafeChainFixture.CalldataAsync("remove-compose-hash", "--app", fixture.App.ToString(), GovChainFixture.Hex(hash));
        await fixture.Safe.ExecuteAsync(fixture.Submitter, fixture.App, remove, fixture.Signers[1], fixture.Signers[2]);
        Assert.Equal("Compose hash not allowed", (await fixture.Chain.KmsContract.IsAppAllowedAsync(boot)).Reason);

        var history = JsonNode.Parse((await fixture.Chain.GovAsync("history", "--app", fixture.App.ToString(), "--json")).Succeeded())!;
        var changes = history["events"]!.AsArray()
            .Where(e => (string)e!["event"]! == "PolicyChanged" && (string)e!["args"]!["value"]! == GovChainFixture.Hex(hash))
            .ToArray();
        Assert.Equal([true, false], changes.Select(e => (bool)e!["args"]!["enabled"]!).ToArray());
        Assert.All(changes, e => Assert.Equal(fixture.Safe.Address.ToString(), (string)e!["args"]!["actor"]!));
    }
}
