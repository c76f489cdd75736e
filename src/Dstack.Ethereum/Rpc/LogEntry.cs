namespace Dstack.Ethereum.Rpc;

/// <summary>An event log as returned by <c>eth_getLogs</c> or in a receipt.</summary>
public sealed record LogEntry
{
    /// <summary>The emitting contract.</summary>
    public required EvmAddress Address { get; init; }

    /// <summary>The topics (topic 0 is the event signature hash for non-anonymous events).</summary>
    public required IReadOnlyList<byte[]> Topics { get; init; }

    /// <summary>The unindexed data.</summary>
    public required byte[] Data { get; init; }

    /// <summary>The block number.</summary>
    public ulong BlockNumber { get; init; }

    /// <summary>The block hash.</summary>
    public byte[] BlockHash { get; init; } = [];

    /// <summary>The transaction hash.</summary>
    public byte[] TransactionHash { get; init; } = [];

    /// <summary>The log's index in the block.</summary>
    public ulong LogIndex { get; init; }

    /// <summary>True if the log was removed by a re-org.</summary>
    public bool Removed { get; init; }
}
