namespace Dstack.Ethereum.Abi;

/// <summary>A named parameter of a function, event, error or tuple.</summary>
/// <param name="Name">The parameter name (may be empty).</param>
/// <param name="Type">Its ABI type.</param>
/// <param name="Indexed">For event parameters: whether it is a topic.</param>
public sealed record AbiParameter(string Name, AbiType Type, bool Indexed = false);
