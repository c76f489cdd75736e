using Dstack.Crypto.Keys;

namespace Dstack.Agent.Identity;

/// <summary>The app keys released at boot (spec §3.1): the app root key service, the disk/env keys and the app CA or the KMS that signs.</summary>
internal sealed class AppKeys
{
    /// <summary>GetKey/Sign/DeriveKey over the app root k256 key and its KMS signature.</summary>
    public required AppKeyService KeyService { get; init; }

    /// <summary>The CA that signs GetTlsKey/DeriveKey certificates locally, or null when it cannot (see <see cref="CertificateAuthorityProblem"/>).</summary>
    public AppCertificateAuthority? CertificateAuthority { get; init; }

    /// <summary>The KMS that signs certificates when the key provider is a KMS (then <see cref="CertificateAuthority"/> is null).</summary>
    public KmsCertificateAuthority? Kms { get; init; }

    /// <summary>Why <see cref="CertificateAuthority"/> and <see cref="Kms"/> are null.</summary>
    public string CertificateAuthorityProblem { get; init; } = "no app CA is available";

    /// <summary>The disk encryption key (32 bytes), or empty.</summary>
    public ReadOnlyMemory<byte> DiskCryptKey { get; init; }

    /// <summary>The env-encryption X25519 secret (32 bytes), or empty.</summary>
    public ReadOnlyMemory<byte> EnvCryptKey { get; init; }

    /// <summary>The CA, or a 400 error naming why there is none.</summary>
    public AppCertificateAuthority RequireCertificateAuthority() =>
        CertificateAuthority ?? throw new Api.RpcException("cannot issue certificates: " + CertificateAuthorityProblem);
}
