using System.Numerics;

namespace Dstack.Ethereum.Rpc;

/// <summary>The receipt of a mined transaction.</summary>
public sealed record TransactionReceipt
{
    /// <summary>The transaction hash.</summary>
    public required byte[] TransactionHash { get; init; }

    /// <summary>The block number.</summary>
    public required ulong BlockNumber { get; init; }

    /// <summary>The block hash.</summary>
    public byte[] BlockHash { get; init; } = [];

    /// <summary>True if execution succeeded (status 1).</summary>
    public required bool Succeeded { get; init; }

    /// <summary>The sender.</summary>
    public EvmAddress From { get; init; }

    /// <summary>The recipient; null for a creation.</summary>
    public EvmAddress? To { get; init; }

    /// <summary>The created contract, for a creation.</summary>
    public EvmAddress? ContractAddress { get; init; }

    /// <summary>Gas used by this transaction.</summary>
    public ulong GasUsed { get; init; }

    /// <summary>The price paid per gas.</summary>
    public BigInteger EffectiveGasPrice { get; init; }

    /// <summary>The logs emitted.</summary>
    public IReadOnlyList<LogEntry> Logs { get; init; } = [];
}
