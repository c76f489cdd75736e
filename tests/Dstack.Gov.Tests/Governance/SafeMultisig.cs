using System.Numerics;
using System.Text;
using Dstack.Crypto.Ethereum;
using Dstack.Ethereum;
using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Rpc;
using Dstack.Ethereum.Transactions;
using Dstack.Gov.Chain;
using Dstack.Gov.Tests.Chain;

namespace Dstack.Gov.Tests.Governance;

/// <summary>
/// A Safe 1.4.1 created through <c>SafeProxyFactory.createProxyWithNonce</c> + <c>setup</c>, and its transactions:
/// the EIP-712 SafeTx hash (domain: chainId + verifyingContract) signed by owners, signatures concatenated in
/// ascending signer-address order, submitted with <c>execTransaction</c> by any account.
/// </summary>
public sealed class SafeMultisig
{
    public static readonly byte[] DomainTypeHash = Keccak("EIP712Domain(uint256 chainId,address verifyingContract)");

    public static readonly byte[] SafeTxTypeHash = Keccak(
        "SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 baseGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)");

    private static readonly ContractAbi Abi = TestArtifact.Safe.Abi;

    private SafeMultisig(EthereumRpcClient rpc, EvmAddress address)
    {
        Rpc = rpc;
        Address = address;
    }

    public EvmAddress Address { get; }

    private EthereumRpcClient Rpc { get; }

    /// <summary>Deploys the singleton and the factory, then a Safe proxy with <paramref name="owners"/> and <paramref name="threshold"/>.</summary>
    public static async Task<SafeMultisig> CreateAsync(TransactionSender deployer, IReadOnlyList<EvmAddress> owners, int threshold)
    {
        var singleton = await TestArtifact.Safe.DeployAsync(deployer);
        var factory = await TestArtifact.SafeProxyFactory.DeployAsync(deployer);
        var setup = Abi.GetFunction("setup").EncodeCall(
            owners.Cast<object?>().ToArray(), new BigInteger(threshold), EvmAddress.Zero, Array.Empty<byte>(), EvmAddress.Zero, EvmAddress.Zero, BigInteger.Zero, EvmAddress.Zero);
        var create = TestArtifact.SafeProxyFactory.Abi.GetFunction("createProxyWithNonce").EncodeCall(singleton, setup, new BigInteger(7));
        var receipt = await deployer.SendAsync(factory, create, default, TestArtifact.SafeProxyFactory.Abi.Errors);
        var created = DecodedEvent.Decode(receipt.Logs, factory, TestArtifact.SafeProxyFactory.Abi).Single(e => e.Event.Name == "ProxyCreation");
        return new SafeMultisig(deployer.Rpc, (EvmAddress)created.Values[0]!);
    }

    /// <summary>The Safe's current nonce.</summary>
    public async Task<BigInteger> NonceAsync() => (BigInteger)(await CallAsync("nonce()"))[0]!;

    /// <summary>The SafeTx hash computed here per EIP-712 (operation CALL, no gas refund).</summary>
    public async Task<byte[]> TransactionHashAsync(EvmAddress to, byte[] data, BigInteger nonce)
    {
        var chainId = await Rpc.GetChainIdAsync();
        var domain = Keccak(AbiEncoder.Encode([AbiType.Bytes32, AbiType.UInt256, AbiType.Address], [DomainTypeHash, new BigInteger(chainId), Address]));
        var message = Keccak(AbiEncoder.Encode(
            [AbiType.Bytes32, AbiType.Address, AbiType.UInt256, AbiType.Bytes32, AbiType.UnsignedNumber(8), AbiType.UInt256, AbiType.UInt256, AbiType.UInt256, AbiType.Address, AbiType.Address, AbiType.UInt256],
            [SafeTxTypeHash, to, BigInteger.Zero, Keccak(data), 0, BigInteger.Zero, BigInteger.Zero, BigInteger.Zero, EvmAddress.Zero, EvmAddress.Zero, nonce]));
        return Keccak([0x19, 0x01, .. domain, .. message]);
    }

    /// <summary>The Safe's own <c>getTransactionHash</c>, to check the local computation.</summary>
    public async Task<byte[]> OnChainTransactionHashAsync(EvmAddress to, byte[] data, BigInteger nonce) =>
        (byte[])(await CallAsync("getTransactionHash", to, BigInteger.Zero, data, 0, BigInteger.Zero, BigInteger.Zero, BigInteger.Zero, EvmAddress.Zero, EvmAddress.Zero, nonce))[0]!;

    /// <summary>Signs the SafeTx with <paramref name="signers"/> and submits <c>execTransaction</c> from <paramref name="submitter"/>.</summary>
    public async Task<TransactionReceipt> ExecuteAsync(TransactionSender submitter, EvmAddress to, byte[] data, params Signer[] signers)
    {
        var hash = await TransactionHashAsync(to, data, await NonceAsync());
        var signatures = new List<byte>();
        foreach (var signer in signers.OrderBy(s => Convert.ToHexString(s.Address.Bytes), StringComparer.Ordinal))
        {
            var signature = signer.SignHash(hash);
            signature[64] += 27; // Safe's ECDSA form: v = 27 + y parity
            signatures.AddRange(signature);
        }

        var exec = Abi.GetFunction("execTransaction").EncodeCall(
            to, BigInteger.Zero, data, 0, BigInteger.Zero, BigInteger.Zero, BigInteger.Zero, EvmAddress.Zero, EvmAddress.Zero, signatures.ToArray());
        return await submitter.SendAsync(Address, exec, default, Abi.Errors);
    }

    private async Task<object?[]> CallAsync(string name, params object?[] arguments)
    {
        var function = Abi.GetFunction(name);
        var result = await Rpc.CallAsync(new CallRequest { To = Address, Data = function.EncodeCall(arguments) }, BlockTag.Latest);
        return function.DecodeOutput(result);
    }

    private static byte[] Keccak(string text) => Keccak256.Hash(Encoding.ASCII.GetBytes(text));

    private static byte[] Keccak(byte[] data) => Keccak256.Hash(data);
}
