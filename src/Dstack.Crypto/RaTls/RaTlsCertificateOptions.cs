namespace Dstack.Crypto.RaTls;

/// <summary>What goes into a dstack certificate (rcgen profile of guest-agent-api §4.3 and kms.md §2.1).</summary>
public sealed class RaTlsCertificateOptions
{
    /// <summary>Common name; the subject always has exactly this CN (even when empty), plus O if <see cref="OrganizationName"/> is set.</summary>
    public string Subject { get; init; } = string.Empty;

    /// <summary>Optional O attribute (CA certificates, or SignCert with <c>org_name</c>).</summary>
    public string? OrganizationName { get; init; }

    /// <summary>SAN entries; IP literals become iPAddress entries, everything else must be an ASCII DNS name.</summary>
    public IReadOnlyList<string> AltNames { get; init; } = [];

    /// <summary>Add EKU serverAuth.</summary>
    public bool UsageServerAuth { get; init; }

    /// <summary>Add EKU clientAuth.</summary>
    public bool UsageClientAuth { get; init; }

    /// <summary>notBefore; default 1975-01-01T00:00:00Z.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>notAfter; default now + 3650 days.</summary>
    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>App id extension (<c>.1.3</c>), KMS-signed certificates only.</summary>
    public ReadOnlyMemory<byte>? AppId { get; init; }

    /// <summary>App info extension (<c>.1.9</c>), msgpack bytes.</summary>
    public ReadOnlyMemory<byte>? AppInfo { get; init; }

    /// <summary>Special usage extension (<c>.1.4</c>); <c>app:custom</c> for leaf certificates.</summary>
    public string? SpecialUsage { get; init; } = "app:custom";

    /// <summary>Attestation extension (<c>.1.8</c>): stripped VersionedAttestation bytes.</summary>
    public ReadOnlyMemory<byte>? Attestation { get; init; }

    /// <summary>Make a CA certificate: BasicConstraints CA with <see cref="PathLength"/>, keyCertSign + cRLSign, SKI.</summary>
    public bool IsCertificateAuthority { get; init; }

    /// <summary>CA path length constraint.</summary>
    public int PathLength { get; init; }
}
