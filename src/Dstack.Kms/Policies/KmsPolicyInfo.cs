namespace Dstack.Kms.Policies;

/// <summary>What a policy backend reports about itself for <c>GetMeta</c> (kms.md §1.3, §4.2 info call).</summary>
/// <param name="IsDev">True for the dev policy (<c>is_dev</c>, <c>allow_any_upgrade</c>).</param>
/// <param name="GatewayAppId">Gateway app id.</param>
/// <param name="KmsContractAddress">KMS contract address (on-chain backends), else null.</param>
/// <param name="ChainId">Chain id (on-chain backends), else null.</param>
/// <param name="AppAuthImplementation">App implementation address (on-chain backends), else null.</param>
internal sealed record KmsPolicyInfo(bool IsDev, string GatewayAppId, string? KmsContractAddress = null, ulong? ChainId = null, string? AppAuthImplementation = null);
