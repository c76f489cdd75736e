using System.Globalization;
using Dstack.Ethereum.Rpc;

namespace Dstack.Kms.Policies;

/// <summary>
/// The block the on-chain policy reads at (<c>Policy:BlockTag</c>): <c>latest</c>, <c>safe</c>, <c>finalized</c>, or
/// <c>head-N</c>, N blocks below the newest (<c>eth_blockNumber</c> − N), so that a governance change becomes effective
/// only after N confirmations. Every decision is pinned to one block number, which is logged.
/// </summary>
internal sealed class OnChainBlockTag
{
    private const string HeadPrefix = "head-";

    private OnChainBlockTag(string text, BlockTag? named, ulong depth)
    {
        Text = text;
        Named = named;
        Depth = depth;
    }

    /// <summary>The configured text.</summary>
    public string Text { get; }

    /// <summary>The named tag (<c>latest</c>, <c>safe</c>, <c>finalized</c>), or null for <c>head-N</c>.</summary>
    public BlockTag? Named { get; }

    /// <summary>N of <c>head-N</c>; 0 for a named tag.</summary>
    public ulong Depth { get; }

    /// <summary>Parses the configuration value (case-sensitive, like the JSON-RPC tags).</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OnChainBlockTag? tag)
    {
        tag = text switch
        {
            "latest" => new OnChainBlockTag(text, BlockTag.Latest, 0),
            "safe" => new OnChainBlockTag(text, BlockTag.Safe, 0),
            "finalized" => new OnChainBlockTag(text, BlockTag.Finalized, 0),
            _ when text is not null && text.StartsWith(HeadPrefix, StringComparison.Ordinal)
                && ulong.TryParse(text.AsSpan(HeadPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var depth) =>
                new OnChainBlockTag(text, null, depth),
            _ => null,
        };
        return tag is not null;
    }

    /// <summary>Parses the configuration value.</summary>
    /// <exception cref="FormatException">Not a supported block tag.</exception>
    public static OnChainBlockTag Parse(string text) =>
        TryParse(text, out var tag) ? tag : throw new FormatException($"'{text}' is not 'latest', 'safe', 'finalized' or 'head-N'");

    /// <summary>The block number this tag designates now.</summary>
    /// <exception cref="PolicyBackendException">The node does not know the block, or the chain is shorter than N.</exception>
    public async Task<ulong> ResolveAsync(EthereumRpcClient rpc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        if (Named is { } named)
        {
            var header = await rpc.GetBlockAsync(named, cancellationToken).ConfigureAwait(false)
                ?? throw new PolicyBackendException($"the node has no '{Text}' block");
            return header.Number;
        }

        var head = await rpc.GetBlockNumberAsync(cancellationToken).ConfigureAwait(false);
        return head >= Depth
            ? head - Depth
            : throw new PolicyBackendException($"the chain head {head} is below the configured depth {Depth} ({Text})");
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
