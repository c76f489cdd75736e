using System.Text.Json;
using Dstack.Ethereum.Abi;

namespace Dstack.Ethereum.Contracts;

/// <summary>A compiled contract shipped inside this assembly (built by <c>src/contracts/build.js</c>).</summary>
public sealed class ContractArtifact
{
    private static readonly Lazy<ContractArtifact> KmsArtifact = new(() => Load("DstackKms"));
    private static readonly Lazy<ContractArtifact> AppArtifact = new(() => Load("DstackApp"));
    private static readonly Lazy<ContractArtifact> ProxyArtifact = new(() => Load("ERC1967Proxy"));

    private ContractArtifact(string name, string abiJson, ContractAbi abi, byte[] bytecode, byte[] deployedBytecode)
    {
        Name = name;
        AbiJson = abiJson;
        Abi = abi;
        Bytecode = bytecode;
        DeployedBytecode = deployedBytecode;
    }

    /// <summary>The <c>DstackKms</c> implementation.</summary>
    public static ContractArtifact DstackKms => KmsArtifact.Value;

    /// <summary>The <c>DstackApp</c> implementation.</summary>
    public static ContractArtifact DstackApp => AppArtifact.Value;

    /// <summary>OpenZeppelin's <c>ERC1967Proxy</c>.</summary>
    public static ContractArtifact Erc1967Proxy => ProxyArtifact.Value;

    /// <summary>The contract name.</summary>
    public string Name { get; }

    /// <summary>The JSON ABI text.</summary>
    public string AbiJson { get; }

    /// <summary>The parsed ABI.</summary>
    public ContractAbi Abi { get; }

    /// <summary>Creation bytecode (without constructor arguments).</summary>
    public IReadOnlyList<byte> Bytecode { get; }

    /// <summary>Runtime bytecode, as <c>eth_getCode</c> returns it for an implementation.</summary>
    public IReadOnlyList<byte> DeployedBytecode { get; }

    /// <summary>Creation bytecode followed by ABI-encoded constructor arguments.</summary>
    /// <param name="constructorArguments">The encoded arguments (empty if none).</param>
    /// <returns>Init code for a creation transaction.</returns>
    public byte[] InitCode(ReadOnlySpan<byte> constructorArguments) => [.. Bytecode, .. constructorArguments];

    private static ContractArtifact Load(string name)
    {
        var resource = "Dstack.Ethereum.Artifacts." + name + ".json";
        using var stream = typeof(ContractArtifact).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException("Missing embedded artifact " + resource);
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var abi = root.GetProperty("abi");
        return new ContractArtifact(
            name,
            abi.GetRawText(),
            ContractAbi.FromJson(abi),
            Hex.Parse(root.GetProperty("bytecode").GetString()!),
            Hex.Parse(root.GetProperty("deployedBytecode").GetString()!));
    }
}
