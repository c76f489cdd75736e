using System.Numerics;

namespace Dstack.Ethereum.Rpc;

/// <summary>The parts of a block this library reads.</summary>
public sealed record BlockHeader
{
    /// <summary>The block number.</summary>
    public required ulong Number { get; init; }

    /// <summary>The block hash.</summary>
    public required byte[] Hash { get; init; }

    /// <summary>The block timestamp (seconds since the Unix epoch).</summary>
    public required ulong Timestamp { get; init; }

    /// <summary>The EIP-1559 base fee, if the chain has one.</summary>
    public BigInteger? BaseFeePerGas { get; init; }
}
