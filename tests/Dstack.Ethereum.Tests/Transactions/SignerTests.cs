using System.Numerics;
using Dstack.Ethereum.Tests.Chain;
using Dstack.Ethereum.Transactions;

namespace Dstack.Ethereum.Tests.Transactions;

public sealed class SignerTests
{
    [Fact]
    public void Anvil_dev_keys_derive_their_known_addresses()
    {
        using var first = Signer.FromHex(AnvilNode.DevKeys[0]);
        using var second = Signer.FromHex(AnvilNode.DevKeys[1]);
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", first.Address.ToString());
        Assert.Equal("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", second.Address.ToString());
        Assert.DoesNotContain("ac0974", first.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Invalid_keys_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new Signer(new byte[32]));
        Assert.Throws<ArgumentException>(() => Signer.FromHex("not hex"));
        Assert.Throws<ArgumentException>(() => new Signer(new byte[31]));
    }

    [Fact]
    public async Task Eip1559_signature_is_byte_identical_to_viem()
    {
        using var signer = Signer.FromHex(AnvilNode.DevKeys[0]);
        var tx = new Eip1559Transaction
        {
            ChainId = 31337,
            Nonce = 7,
            MaxPriorityFeePerGas = 1_000_000_000,
            MaxFeePerGas = 3_000_000_000,
            GasLimit = 100_000,
            To = EvmAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
            Value = BigInteger.Parse("1000000000000000000", System.Globalization.CultureInfo.InvariantCulture),
            Data = [0xde, 0xad, 0xbe, 0xef],
        };
        var ours = tx.Sign(signer);
        var theirs = await NodeScript.RunAsync(
            """
            const { privateKeyToAccount } = require('viem/accounts');
            const { keccak256 } = require('viem');
            const account = privateKeyToAccount(process.argv[1]);
            account.signTransaction({
              type: 'eip1559', chainId: 31337, nonce: 7, maxPriorityFeePerGas: 1000000000n, maxFeePerGas: 3000000000n,
              gas: 100000n, to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', value: 1000000000000000000n, data: '0xdeadbeef',
            }).then((raw) => console.log(raw + ' ' + keccak256(raw)));
            """,
            AnvilNode.DevKeys[0]);
        var parts = theirs.Split(' ');
        Assert.Equal(parts[0], Dstack.Ethereum.Hex.Format(ours.Raw));
        Assert.Equal(parts[1], Dstack.Ethereum.Hex.Format(ours.Hash));
    }
}
