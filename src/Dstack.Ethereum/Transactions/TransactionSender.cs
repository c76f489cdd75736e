using System.Numerics;
using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Rpc;

namespace Dstack.Ethereum.Transactions;

/// <summary>
/// Sends EIP-1559 transactions from one account: tracks the nonce locally (re-read from the node after a failed
/// send), estimates gas, prices fees from the latest base fee, waits for the receipt and decodes reverts.
/// </summary>
public sealed class TransactionSender : IDisposable
{
    private static readonly BigInteger DefaultTip = 1_000_000_000; // 1 gwei
    private readonly EthereumRpcClient _rpc;
    private readonly Signer _signer;
    private readonly SemaphoreSlim _nonceLock = new(1, 1);
    private ulong? _nextNonce;

    /// <summary>Creates a sender for a chain whose id is already known.</summary>
    /// <param name="rpc">The RPC client.</param>
    /// <param name="signer">The sending account.</param>
    /// <param name="chainId">The chain id to sign for.</param>
    public TransactionSender(EthereumRpcClient rpc, Signer signer, ulong chainId)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(signer);
        _rpc = rpc;
        _signer = signer;
        ChainId = chainId;
    }

    /// <summary>The RPC client.</summary>
    public EthereumRpcClient Rpc => _rpc;

    /// <summary>The sending account.</summary>
    public EvmAddress Address => _signer.Address;

    /// <summary>The chain id transactions are signed for.</summary>
    public ulong ChainId { get; }

    /// <summary>Reads the node's chain id and creates a sender; refuses a chain other than <paramref name="expectedChainId"/>.</summary>
    /// <param name="rpc">The RPC client.</param>
    /// <param name="signer">The sending account.</param>
    /// <param name="expectedChainId">The chain the caller means to use, or null to accept the node's.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The sender.</returns>
    public static async Task<TransactionSender> CreateAsync(EthereumRpcClient rpc, Signer signer, ulong? expectedChainId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        var chainId = await rpc.GetChainIdAsync(cancellationToken).ConfigureAwait(false);
        if (expectedChainId is { } expected && expected != chainId)
        {
            throw new InvalidOperationException($"The RPC endpoint serves chain {chainId}, not the configured chain {expected}");
        }

        return new TransactionSender(rpc, signer, chainId);
    }

    /// <summary>Sends a transaction and waits for its receipt.</summary>
    /// <param name="to">The recipient; null to create a contract.</param>
    /// <param name="data">Call data or init code.</param>
    /// <param name="value">Wei to send.</param>
    /// <param name="knownErrors">Custom errors to decode a revert with.</param>
    /// <param name="cancellationToken">Cancels sending and waiting.</param>
    /// <returns>The successful receipt.</returns>
    /// <exception cref="TransactionRevertedException">The transaction reverts (before sending, or on chain).</exception>
    public async Task<TransactionReceipt> SendAsync(
        EvmAddress? to,
        byte[] data,
        BigInteger value = default,
        IEnumerable<AbiError>? knownErrors = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var errors = knownErrors?.ToArray() ?? [];
        var call = new CallRequest { From = Address, To = to, Data = data, Value = value.IsZero ? null : value };
        ulong estimate;
        try
        {
            estimate = await _rpc.EstimateGasAsync(call, cancellationToken).ConfigureAwait(false);
        }
        catch (EthereumRpcException ex) when (ex.RevertData is not null || ex.Code == 3)
        {
            throw new TransactionRevertedException(ex.DecodeRevert(errors), null, ex);
        }

        var gasLimit = estimate + (estimate / 5) + 10_000;
        var latest = await _rpc.GetBlockAsync(BlockTag.Latest, cancellationToken).ConfigureAwait(false);
        var baseFee = latest?.BaseFeePerGas ?? await _rpc.GetGasPriceAsync(cancellationToken).ConfigureAwait(false);
        BigInteger tip;
        try
        {
            tip = await _rpc.GetMaxPriorityFeePerGasAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EthereumRpcException)
        {
            tip = DefaultTip;
        }

        byte[] hash;
        await _nonceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var nonce = _nextNonce ?? await _rpc.GetTransactionCountAsync(Address, BlockTag.Pending, cancellationToken).ConfigureAwait(false);
            var signed = new Eip1559Transaction
            {
                ChainId = ChainId,
                Nonce = nonce,
                MaxPriorityFeePerGas = tip,
                MaxFeePerGas = (baseFee * 2) + tip,
                GasLimit = gasLimit,
                To = to,
                Value = value,
                Data = data,
            }.Sign(_signer);
            try
            {
                await _rpc.SendRawTransactionAsync(signed.Raw, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _nextNonce = null; // re-read from the node next time
                throw;
            }

            _nextNonce = nonce + 1;
            hash = signed.Hash;
        }
        finally
        {
            _nonceLock.Release();
        }

        var receipt = await _rpc.WaitForReceiptAsync(hash, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded)
        {
            throw new TransactionRevertedException(await ReplayRevertAsync(call, receipt, errors, cancellationToken).ConfigureAwait(false), receipt);
        }

        return receipt;
    }

    /// <summary>Deploys a contract and returns its address.</summary>
    /// <param name="initCode">Creation bytecode followed by the ABI-encoded constructor arguments.</param>
    /// <param name="cancellationToken">Cancels sending and waiting.</param>
    /// <returns>The receipt, whose <see cref="TransactionReceipt.ContractAddress"/> is set.</returns>
    public async Task<TransactionReceipt> DeployAsync(byte[] initCode, CancellationToken cancellationToken = default)
    {
        var receipt = await SendAsync(null, initCode, default, null, cancellationToken).ConfigureAwait(false);
        return receipt.ContractAddress is null
            ? throw new InvalidOperationException("The creation receipt names no contract address")
            : receipt;
    }

    /// <summary>Releases the nonce lock. The signer is not disposed (the caller owns it).</summary>
    public void Dispose() => _nonceLock.Dispose();

    private async Task<RevertReason?> ReplayRevertAsync(CallRequest call, TransactionReceipt receipt, AbiError[] errors, CancellationToken cancellationToken)
    {
        // Re-run the call on the state the transaction saw (best effort; the block's earlier transactions are missing).
        try
        {
            var at = receipt.BlockNumber == 0 ? BlockTag.Earliest : BlockTag.AtNumber(receipt.BlockNumber - 1);
            await _rpc.CallAsync(call with { Gas = receipt.GasUsed + 100_000 }, at, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (EthereumRpcException ex)
        {
            return ex.DecodeRevert(errors);
        }
    }
}
