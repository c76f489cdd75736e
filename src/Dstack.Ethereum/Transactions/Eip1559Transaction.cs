using System.Numerics;
using Dstack.Crypto.Ethereum;

namespace Dstack.Ethereum.Transactions;

/// <summary>An EIP-1559 (type 2) transaction with an empty access list.</summary>
public sealed record Eip1559Transaction
{
    /// <summary>The chain id (EIP-155 replay protection).</summary>
    public required ulong ChainId { get; init; }

    /// <summary>The sender's nonce.</summary>
    public required ulong Nonce { get; init; }

    /// <summary>Tip per gas to the block producer, in wei.</summary>
    public required BigInteger MaxPriorityFeePerGas { get; init; }

    /// <summary>Maximum total fee per gas, in wei.</summary>
    public required BigInteger MaxFeePerGas { get; init; }

    /// <summary>The gas limit.</summary>
    public required ulong GasLimit { get; init; }

    /// <summary>The recipient; null for a contract creation.</summary>
    public EvmAddress? To { get; init; }

    /// <summary>Wei sent along.</summary>
    public BigInteger Value { get; init; }

    /// <summary>Call data or, for a creation, init code.</summary>
    public byte[] Data { get; init; } = [];

    /// <summary>The bytes that are hashed for signing: <c>0x02 ‖ rlp([chainId, nonce, tip, maxFee, gas, to, value, data, []])</c>.</summary>
    /// <returns>The signing payload.</returns>
    public byte[] SigningPayload() => [0x02, .. Rlp.EncodeList(Fields())];

    /// <summary>Signs the transaction.</summary>
    /// <param name="signer">The sender's key.</param>
    /// <returns>The raw signed transaction and its hash.</returns>
    public SignedTransaction Sign(Signer signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var signature = signer.SignHash(Keccak256.Hash(SigningPayload()));
        var r = new BigInteger(signature.AsSpan(0, 32), isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        byte[] raw = [0x02, .. Rlp.EncodeList([.. Fields(), Rlp.EncodeInteger(signature[64]), Rlp.EncodeInteger(r), Rlp.EncodeInteger(s)])];
        return new SignedTransaction(raw, Keccak256.Hash(raw));
    }

    private byte[][] Fields() =>
    [
        Rlp.EncodeInteger(ChainId),
        Rlp.EncodeInteger(Nonce),
        Rlp.EncodeInteger(MaxPriorityFeePerGas),
        Rlp.EncodeInteger(MaxFeePerGas),
        Rlp.EncodeInteger(GasLimit),
        Rlp.EncodeBytes(To is { } to ? to.Bytes : []),
        Rlp.EncodeInteger(Value),
        Rlp.EncodeBytes(Data),
        Rlp.EncodeList(),
    ];
}
