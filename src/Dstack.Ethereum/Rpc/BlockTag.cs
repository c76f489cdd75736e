using System.Globalization;

namespace Dstack.Ethereum.Rpc;

/// <summary>Which block a read is made against: a named tag or a block number.</summary>
public readonly record struct BlockTag
{
    private readonly string? _name;

    private BlockTag(string? name, ulong number)
    {
        _name = name;
        Number = number;
    }

    /// <summary>The newest block.</summary>
    public static BlockTag Latest { get; } = new("latest", 0);

    /// <summary>The newest block the consensus layer considers safe from re-orgs.</summary>
    public static BlockTag Safe { get; } = new("safe", 0);

    /// <summary>The newest finalized block.</summary>
    public static BlockTag Finalized { get; } = new("finalized", 0);

    /// <summary>The pending state (for nonces).</summary>
    public static BlockTag Pending { get; } = new("pending", 0);

    /// <summary>The genesis block.</summary>
    public static BlockTag Earliest { get; } = new("earliest", 0);

    /// <summary>The block number when <see cref="IsNumber"/>.</summary>
    public ulong Number { get; }

    /// <summary>True if this tag is a block number.</summary>
    public bool IsNumber => _name is null;

    /// <summary>A specific block.</summary>
    /// <param name="number">The block number.</param>
    /// <returns>The tag.</returns>
    public static BlockTag AtNumber(ulong number) => new(null, number);

    /// <summary>Parses <c>latest</c>, <c>safe</c>, <c>finalized</c>, <c>pending</c>, <c>earliest</c>, a decimal number or a <c>0x</c> quantity.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The tag.</returns>
    public static BlockTag Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text switch
        {
            "latest" => Latest,
            "safe" => Safe,
            "finalized" => Finalized,
            "pending" => Pending,
            "earliest" => Earliest,
            _ when text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) => AtNumber(Hex.ParseQuantityUInt64(text)),
            _ when ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => AtNumber(n),
            _ => throw new FormatException("Not a block tag: " + text),
        };
    }

    /// <summary>The JSON-RPC form: the tag name or a hex quantity.</summary>
    /// <returns>For example <c>latest</c> or <c>0x1b4</c>.</returns>
    public override string ToString() => _name ?? Hex.FormatQuantity(Number);
}
