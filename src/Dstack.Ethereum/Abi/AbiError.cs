namespace Dstack.Ethereum.Abi;

/// <summary>A Solidity custom error, e.g. <c>OwnableUnauthorizedAccount(address)</c>.</summary>
public sealed class AbiError
{
    /// <summary>Creates an error description.</summary>
    /// <param name="name">The error name.</param>
    /// <param name="inputs">Its parameters.</param>
    public AbiError(string name, IReadOnlyList<AbiParameter> inputs)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Inputs = [.. inputs];
        Signature = AbiSignature.Of(name, Inputs);
        Selector = AbiSignature.Selector(Signature);
    }

    /// <summary>The error name.</summary>
    public string Name { get; }

    /// <summary>The parameters.</summary>
    public IReadOnlyList<AbiParameter> Inputs { get; }

    /// <summary>The canonical signature.</summary>
    public string Signature { get; }

    /// <summary>The 4-byte selector that starts the revert data.</summary>
    public byte[] Selector { get; }

    /// <inheritdoc />
    public override string ToString() => Signature;
}
