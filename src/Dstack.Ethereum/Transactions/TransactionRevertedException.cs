using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Rpc;

namespace Dstack.Ethereum.Transactions;

/// <summary>A transaction reverted, either when its gas was estimated or on chain (receipt status 0).</summary>
public sealed class TransactionRevertedException : EthereumException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">The decoded reason, when known.</param>
    /// <param name="receipt">The failed receipt, when the transaction was mined.</param>
    /// <param name="innerException">The RPC error, for a revert found while estimating gas.</param>
    public TransactionRevertedException(RevertReason? reason, TransactionReceipt? receipt, Exception? innerException = null)
        : base(
            (receipt is null ? "Transaction would revert" : "Transaction " + Hex.Format(receipt.TransactionHash) + " reverted")
                + (reason is null ? string.Empty : ": " + reason),
            innerException)
    {
        Reason = reason;
        Receipt = receipt;
    }

    /// <summary>The decoded revert reason, when known.</summary>
    public RevertReason? Reason { get; }

    /// <summary>The receipt of the mined, failed transaction; null if it was never sent.</summary>
    public TransactionReceipt? Receipt { get; }
}
