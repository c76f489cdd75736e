namespace Dstack.Ethereum.Rpc;

/// <summary>The filter of <c>eth_getLogs</c>.</summary>
public sealed record LogFilter
{
    /// <summary>Contracts whose logs to return (empty: any).</summary>
    public IReadOnlyList<EvmAddress> Addresses { get; init; } = [];

    /// <summary>First block (inclusive). Default earliest.</summary>
    public BlockTag FromBlock { get; init; } = BlockTag.Earliest;

    /// <summary>Last block (inclusive). Default latest.</summary>
    public BlockTag ToBlock { get; init; } = BlockTag.Latest;

    /// <summary>Per topic position: null for any, otherwise the accepted 32-byte values.</summary>
    public IReadOnlyList<IReadOnlyList<byte[]>?> Topics { get; init; } = [];
}
