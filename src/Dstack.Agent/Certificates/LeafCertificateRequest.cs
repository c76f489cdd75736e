namespace Dstack.Agent.Certificates;

/// <summary>What a caller asked for in <c>GetTlsKey</c> or Tappd <c>DeriveKey</c> (spec §2.2, §2.12, §4.3).</summary>
internal sealed record LeafCertificateRequest
{
    /// <summary>The CN of the subject (may be empty).</summary>
    public string Subject { get; init; } = "";

    /// <summary>SAN entries: IP literals become iPAddress names, other entries must be ASCII DNS names.</summary>
    public IReadOnlyList<string> AltNames { get; init; } = [];

    /// <summary>Embed the attestation extension (<c>1.3.6.1.4.1.62397.1.8</c>).</summary>
    public bool UsageRaTls { get; init; }

    /// <summary>Add EKU serverAuth.</summary>
    public bool UsageServerAuth { get; init; }

    /// <summary>Add EKU clientAuth.</summary>
    public bool UsageClientAuth { get; init; }

    /// <summary>notBefore in Unix seconds; default 1975-01-01.</summary>
    public ulong? NotBefore { get; init; }

    /// <summary>notAfter in Unix seconds; default now + 3650 days.</summary>
    public ulong? NotAfter { get; init; }

    /// <summary>Embed the app-info extension (<c>1.3.6.1.4.1.62397.1.9</c>).</summary>
    public bool WithAppInfo { get; init; }
}
