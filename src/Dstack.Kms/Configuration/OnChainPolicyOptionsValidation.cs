using Dstack.Ethereum;
using Dstack.Kms.Policies;

namespace Dstack.Kms.Configuration;

/// <summary>The checks of the <c>onchain</c> policy keys, each error naming its key.</summary>
internal static class OnChainPolicyOptionsValidation
{
    /// <summary>Adds one message per problem of <paramref name="policy"/> to <paramref name="errors"/>.</summary>
    public static void Check(List<string> errors, PolicyOptions policy)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.RpcUrls.Count == 0)
        {
            errors.Add("Policy:RpcUrls must list at least one http(s) JSON-RPC URL when Policy:Kind is onchain");
        }

        for (var i = 0; i < policy.RpcUrls.Count; i++)
        {
            if (!IsHttpUrl(policy.RpcUrls[i]))
            {
                // the URL itself may carry an API key: name the entry, show only what is needed to spot the typo
                errors.Add($"Policy:RpcUrls:{i} must be an absolute http(s) URL, got '{Redact(policy.RpcUrls[i])}'");
            }
        }

        if (policy.ChainId == 0)
        {
            errors.Add("Policy:ChainId is required when Policy:Kind is onchain (the chain id of the network the KmsContract lives on)");
        }

        if (!EvmAddress.TryParse(policy.KmsContract, out var contract) || contract.IsZero)
        {
            errors.Add($"Policy:KmsContract must be the DstackKms address: 0x and 40 hex digits, a valid EIP-55 checksum if mixed case, not zero; got '{policy.KmsContract}'");
        }

        if (!OnChainBlockTag.TryParse(policy.BlockTag, out _))
        {
            errors.Add($"Policy:BlockTag must be 'latest', 'safe', 'finalized' or 'head-N' with N a block count, got '{policy.BlockTag}'");
        }

        if (policy.TimeoutSeconds is < 1 or > 600)
        {
            errors.Add($"Policy:TimeoutSeconds must be in 1..600, got {policy.TimeoutSeconds}");
        }
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static string Redact(string? value) =>
        value is null ? string.Empty : value.Length <= 12 ? value : value[..12] + "…";
}
