namespace Dstack.Attestation.Csr;

/// <summary>The certificate a CSR asks for (<c>CertConfigV2</c>, kms.md §1.5).</summary>
public sealed record CertConfigV2
{
    /// <summary>Optional O attribute.</summary>
    public string? OrgName { get; init; }

    /// <summary>CN.</summary>
    public required string Subject { get; init; }

    /// <summary>SAN entries (IP literals become IP SANs).</summary>
    public IReadOnlyList<string> SubjectAltNames { get; init; } = [];

    /// <summary>EKU serverAuth.</summary>
    public bool UsageServerAuth { get; init; }

    /// <summary>EKU clientAuth.</summary>
    public bool UsageClientAuth { get; init; }

    /// <summary>Embed the CSR's attestation.</summary>
    public bool ExtQuote { get; init; }

    /// <summary>Embed the app info extension.</summary>
    public bool ExtAppInfo { get; init; }

    /// <summary>notBefore, Unix seconds.</summary>
    public ulong? NotBefore { get; init; }

    /// <summary>notAfter, Unix seconds.</summary>
    public ulong? NotAfter { get; init; }
}
