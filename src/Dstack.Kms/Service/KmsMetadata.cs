using Dstack.Kms.Keys;

namespace Dstack.Kms.Service;

/// <summary><c>GetMeta</c> output (wire message <c>GetMetaResponse</c>).</summary>
/// <param name="CaCert">Root CA certificate PEM.</param>
/// <param name="AllowAnyUpgrade">True in dev mode.</param>
/// <param name="K256PublicKey">33-byte compressed k256 root public key.</param>
/// <param name="Bootstrap">The bootstrap record when this instance bootstrapped.</param>
/// <param name="IsDev">True in dev mode.</param>
/// <param name="GatewayAppId">Gateway app id.</param>
/// <param name="KmsContractAddress">On-chain backends only.</param>
/// <param name="ChainId">On-chain backends only.</param>
/// <param name="AppAuthImplementation">On-chain backends only.</param>
internal sealed record KmsMetadata(
    string CaCert,
    bool AllowAnyUpgrade,
    byte[] K256PublicKey,
    BootstrapInfo? Bootstrap,
    bool IsDev,
    string? GatewayAppId,
    string? KmsContractAddress,
    ulong? ChainId,
    string? AppAuthImplementation);
