namespace Dstack.Ethereum.Abi;

/// <summary>How a revert's data was understood.</summary>
public enum RevertReasonKind
{
    /// <summary>No data: <c>revert()</c>, <c>require(cond)</c> without message, or out of gas.</summary>
    Empty,

    /// <summary><c>Error(string)</c> from <c>require(cond, "message")</c> or <c>revert("message")</c>.</summary>
    Message,

    /// <summary><c>Panic(uint256)</c>: assertion, overflow, division by zero, …</summary>
    Panic,

    /// <summary>A custom error from the contract's ABI.</summary>
    CustomError,

    /// <summary>Data that matched nothing known (kept raw).</summary>
    Unknown,
}
