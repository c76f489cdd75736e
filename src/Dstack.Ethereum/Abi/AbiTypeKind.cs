namespace Dstack.Ethereum.Abi;

/// <summary>The families of Solidity ABI types.</summary>
public enum AbiTypeKind
{
    /// <summary><c>uint8</c> … <c>uint256</c>; values are <see cref="System.Numerics.BigInteger"/>.</summary>
    UnsignedNumber,

    /// <summary><c>int8</c> … <c>int256</c>; values are <see cref="System.Numerics.BigInteger"/>.</summary>
    SignedNumber,

    /// <summary><c>address</c>; values are <see cref="EvmAddress"/>.</summary>
    Address,

    /// <summary><c>bool</c>.</summary>
    Bool,

    /// <summary><c>bytes1</c> … <c>bytes32</c>; values are byte arrays of exactly that length.</summary>
    FixedBytes,

    /// <summary><c>bytes</c>; values are byte arrays.</summary>
    Bytes,

    /// <summary><c>string</c>; values are strings (UTF-8 on the wire).</summary>
    Text,

    /// <summary><c>T[N]</c>; values are <c>object?[]</c> of length N.</summary>
    FixedArray,

    /// <summary><c>T[]</c>; values are <c>object?[]</c>.</summary>
    Array,

    /// <summary><c>(T1,T2,…)</c>; values are <c>object?[]</c> with one element per component.</summary>
    Tuple,
}
