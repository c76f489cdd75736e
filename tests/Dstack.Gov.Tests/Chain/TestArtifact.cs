using System.Text.Json;
using Dstack.Ethereum;
using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Transactions;
using Dstack.Tests;

namespace Dstack.Gov.Tests.Chain;

/// <summary>A compiled contract the tests deploy from a JSON artifact (solc output of build.js, or a hardhat artifact from npm).</summary>
public sealed record TestArtifact(ContractAbi Abi, byte[] Bytecode)
{
    /// <summary>OpenZeppelin's TimelockController, compiled by <c>src/contracts/build.js</c>.</summary>
    public static TestArtifact Timelock { get; } = Load(Path.Combine(SharedFiles.RepositoryRoot, "src", "contracts", "artifacts", "governance", "TimelockController.json"));

    /// <summary>The Safe 1.4.1 singleton, as shipped by <c>@safe-global/safe-contracts</c>.</summary>
    public static TestArtifact Safe { get; } = Load(SafeArtifact("Safe.sol", "Safe.json"));

    /// <summary>The Safe 1.4.1 proxy factory.</summary>
    public static TestArtifact SafeProxyFactory { get; } = Load(SafeArtifact("proxies", "SafeProxyFactory.sol", "SafeProxyFactory.json"));

    public static TestArtifact Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var bytecode = root.GetProperty("bytecode").GetString()!;
        return new TestArtifact(ContractAbi.FromJson(root.GetProperty("abi")), Convert.FromHexString(bytecode.StartsWith("0x", StringComparison.Ordinal) ? bytecode[2..] : bytecode));
    }

    /// <summary>Deploys with ABI-encoded constructor arguments; returns the address.</summary>
    public async Task<EvmAddress> DeployAsync(TransactionSender sender, byte[]? constructorArguments = null)
    {
        var receipt = await sender.DeployAsync([.. Bytecode, .. constructorArguments ?? []]);
        return receipt.ContractAddress!.Value;
    }

    private static string SafeArtifact(params string[] parts) =>
        Path.Combine([SharedFiles.RepositoryRoot, "tests", "node_modules", "@safe-global", "safe-contracts", "build", "artifacts", "contracts", .. parts]);
}
