namespace Dstack.Ethereum.Abi;

/// <summary>A contract function: selector, call encoding and result decoding.</summary>
public sealed class AbiFunction
{
    /// <summary>Creates a function description.</summary>
    /// <param name="name">The function name.</param>
    /// <param name="inputs">Its parameters.</param>
    /// <param name="outputs">Its return values.</param>
    /// <param name="stateMutability"><c>view</c>, <c>pure</c>, <c>nonpayable</c> or <c>payable</c>.</param>
    public AbiFunction(string name, IReadOnlyList<AbiParameter> inputs, IReadOnlyList<AbiParameter> outputs, string stateMutability = "nonpayable")
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Inputs = [.. inputs];
        Outputs = [.. outputs];
        StateMutability = stateMutability;
        Signature = AbiSignature.Of(name, Inputs);
        Selector = AbiSignature.Selector(Signature);
    }

    /// <summary>The function name.</summary>
    public string Name { get; }

    /// <summary>The parameters.</summary>
    public IReadOnlyList<AbiParameter> Inputs { get; }

    /// <summary>The return values.</summary>
    public IReadOnlyList<AbiParameter> Outputs { get; }

    /// <summary>The state mutability from the ABI.</summary>
    public string StateMutability { get; }

    /// <summary>The canonical signature, e.g. <c>addComposeHash(bytes32)</c>.</summary>
    public string Signature { get; }

    /// <summary>The first 4 bytes of Keccak-256 of the signature.</summary>
    public byte[] Selector { get; }

    /// <summary>Parses a signature like <c>transfer(address,uint256)</c> with optional output types.</summary>
    /// <param name="signature">The canonical signature.</param>
    /// <param name="outputs">Comma-separated output types, e.g. <c>bool,string</c>.</param>
    /// <returns>The function.</returns>
    public static AbiFunction Parse(string signature, string outputs = "")
    {
        ArgumentNullException.ThrowIfNull(signature);
        var open = signature.IndexOf('(', StringComparison.Ordinal);
        if (open <= 0 || !signature.EndsWith(')'))
        {
            throw new AbiException("Not a function signature: " + signature);
        }

        var inputs = AbiType.ParseList(signature[(open + 1)..^1]).Select(t => new AbiParameter(string.Empty, t)).ToArray();
        var outputTypes = AbiType.ParseList(outputs ?? string.Empty).Select(t => new AbiParameter(string.Empty, t)).ToArray();
        return new AbiFunction(signature[..open], inputs, outputTypes);
    }

    /// <summary>Encodes a call: selector ‖ arguments.</summary>
    /// <param name="arguments">One value per input.</param>
    /// <returns>Call data.</returns>
    public byte[] EncodeCall(params object?[] arguments)
    {
        var body = AbiEncoder.Encode(Inputs, arguments);
        var data = new byte[4 + body.Length];
        Selector.CopyTo(data, 0);
        body.CopyTo(data, 4);
        return data;
    }

    /// <summary>Decodes the return data.</summary>
    /// <param name="data">What <c>eth_call</c> returned.</param>
    /// <returns>One value per output.</returns>
    public object?[] DecodeOutput(ReadOnlySpan<byte> data) => AbiDecoder.Decode(Outputs, data);

    /// <summary>Decodes call data (selector ‖ arguments) back into arguments.</summary>
    /// <param name="callData">The call data.</param>
    /// <returns>One value per input.</returns>
    public object?[] DecodeCall(ReadOnlySpan<byte> callData)
    {
        if (callData.Length < 4 || !callData[..4].SequenceEqual(Selector))
        {
            throw new AbiException($"Call data does not start with the selector of {Signature}");
        }

        return AbiDecoder.Decode(Inputs, callData[4..]);
    }

    /// <inheritdoc />
    public override string ToString() => Signature;
}
