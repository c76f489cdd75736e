namespace Dstack.Kms.Embedding;

/// <summary>The public facts of an embedded KMS that has started.</summary>
public sealed class KmsEmbeddedStarted
{
    internal KmsEmbeddedStarted(Uri address, byte[] k256RootPublicKey, string rootCaCertificatePem)
    {
        Address = address;
        K256RootPublicKey = k256RootPublicKey;
        RootCaCertificatePem = rootCaCertificatePem;
    }

    /// <summary>The address the RPC listener is bound to, for example <c>https://127.0.0.1:8000</c>.</summary>
    public Uri Address { get; }

    /// <summary>The 33-byte compressed secp256k1 root public key (the <c>k256_pubkey</c> of <c>GetMeta</c>).</summary>
    public ReadOnlyMemory<byte> K256RootPublicKey { get; }

    /// <summary>The root CA certificate (PEM); its key is the KMS identity a VM measures in <c>key-provider</c>.</summary>
    public string RootCaCertificatePem { get; }
}
