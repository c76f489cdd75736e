using Dstack.Ethereum.Abi;

namespace Dstack.Gov.Chain;

/// <summary>The <c>PolicyChanged</c> keys (<c>keccak256(label)</c>, kms.md §5.2) mapped back to their labels.</summary>
internal static class PolicyLabels
{
    private static readonly string[] Labels =
    [
        "app-implementation", "implementation-upgrade", "kms-info", "gateway-app-id", "registered-app",
        "kms-aggregated-mr", "kms-device", "os-image", "device", "compose-hash", "allow-any-device",
        "require-tcb-up-to-date", "upgrades-disabled",
    ];

    private static readonly Dictionary<string, string> ByHash =
        Labels.ToDictionary(label => Convert.ToHexStringLower(AbiSignature.Hash(label)), label => label);

    /// <summary>The label whose hash is <paramref name="key"/>, or null.</summary>
    public static string? Find(byte[] key) => ByHash.GetValueOrDefault(Convert.ToHexStringLower(key));
}
