using Dstack.Rpc.Kms;

namespace Dstack.Agent.Boot;

/// <summary>What one KMS released to this VM, with the KMS identity it was checked against.</summary>
internal sealed class KmsAppKeys
{
    /// <summary>The KMS URL (as listed in <c>kms_urls</c>).</summary>
    public required string Url { get; init; }

    /// <summary>The <c>GetAppKey</c> response.</summary>
    public required AppKeyResponse Response { get; init; }

    /// <summary>SubjectPublicKeyInfo DER of the KMS root CA: the key provider id.</summary>
    public required byte[] RootCaSubjectPublicKeyInfo { get; init; }

    /// <summary>The temp CA certificate PEM (public by design).</summary>
    public required string TempCaCertificatePem { get; init; }

    /// <summary>The temp CA key PEM (public by design: the attestation in a client certificate is what counts).</summary>
    public required string TempCaKeyPem { get; init; }

    /// <summary>The key-provider event payload: <c>{"name":"kms","id":"&lt;hex SPKI&gt;"}</c>.</summary>
    public byte[] KeyProviderInfo => KeyProviderPayload.Kms(RootCaSubjectPublicKeyInfo);
}
