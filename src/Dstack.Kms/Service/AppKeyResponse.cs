namespace Dstack.Kms.Service;

/// <summary><c>GetAppKey</c> output (kms.md §3.2; <c>tproxy_app_id</c> on the wire equals <see cref="GatewayAppId"/>).</summary>
/// <param name="CaCert">Root CA certificate PEM.</param>
/// <param name="DiskCryptKey">32-byte per-instance disk key.</param>
/// <param name="EnvCryptKey">32-byte X25519 env secret.</param>
/// <param name="K256Key">32-byte secp256k1 app key.</param>
/// <param name="K256Signature">65-byte root signature over the compressed app public key.</param>
/// <param name="GatewayAppId">The policy's gateway app id.</param>
/// <param name="OsImageHash">The caller's OS image hash (BootInfo).</param>
internal sealed record AppKeyResponse(
    string CaCert,
    byte[] DiskCryptKey,
    byte[] EnvCryptKey,
    byte[] K256Key,
    byte[] K256Signature,
    string GatewayAppId,
    byte[] OsImageHash);
