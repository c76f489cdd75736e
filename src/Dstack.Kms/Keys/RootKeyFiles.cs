namespace Dstack.Kms.Keys;

/// <summary>File names of the root-key directory (kms.md §2.1).</summary>
internal static class RootKeyFiles
{
    /// <summary>Root CA P-256 key, PKCS#8 PEM.</summary>
    public const string RootCaKey = "root-ca.key";

    /// <summary>Self-signed root CA certificate, PEM.</summary>
    public const string RootCaCert = "root-ca.crt";

    /// <summary>Root secp256k1 key, raw 32 bytes.</summary>
    public const string RootK256Key = "root-k256.key";

    /// <summary>Temp client CA key (public by design), PKCS#8 PEM.</summary>
    public const string TempCaKey = "tmp-ca.key";

    /// <summary>Temp client CA certificate, PEM.</summary>
    public const string TempCaCert = "tmp-ca.crt";

    /// <summary>RPC TLS server key, PKCS#8 PEM.</summary>
    public const string RpcKey = "rpc.key";

    /// <summary>RPC TLS server certificate, signed by the root CA, PEM.</summary>
    public const string RpcCert = "rpc.crt";

    /// <summary>Domain of the RPC certificate, UTF-8.</summary>
    public const string RpcDomain = "rpc-domain";

    /// <summary>Public bootstrap record (<c>BootstrapResponse</c> as JSON), written by a bootstrap, not by onboarding.</summary>
    public const string BootstrapInfo = "bootstrap-info.json";

    /// <summary>The seven files whose presence means "keys exist".</summary>
    public static readonly IReadOnlyList<string> Required = [TempCaCert, TempCaKey, RootCaCert, RootCaKey, RpcCert, RpcKey, RootK256Key];
}
