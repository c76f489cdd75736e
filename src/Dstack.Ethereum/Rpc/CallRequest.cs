using System.Numerics;

namespace Dstack.Ethereum.Rpc;

/// <summary>The transaction-like object of <c>eth_call</c> and <c>eth_estimateGas</c>.</summary>
public sealed record CallRequest
{
    /// <summary>The sender (optional for calls).</summary>
    public EvmAddress? From { get; init; }

    /// <summary>The target; null for estimating a contract creation.</summary>
    public EvmAddress? To { get; init; }

    /// <summary>Call data.</summary>
    public byte[] Data { get; init; } = [];

    /// <summary>Wei sent along, if any.</summary>
    public BigInteger? Value { get; init; }

    /// <summary>Gas limit, if any.</summary>
    public ulong? Gas { get; init; }
}
