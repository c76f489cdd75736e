using System.Security.Cryptography.X509Certificates;

namespace Dstack.Agent.Tests.Boot;

/// <summary>What the test KMS saw in one GetAppKey call.</summary>
internal sealed class KmsCallRecord
{
    public required X509Certificate2 Certificate { get; init; }

    public required string Subject { get; init; }

    public required string Issuer { get; init; }

    public required bool BoundToCertificateKey { get; init; }

    public required bool QuoteVerified { get; init; }

    public required bool Rtmr3Replays { get; init; }

    public required IReadOnlyList<string> EventNames { get; init; }

    public required string VmConfig { get; init; }
}
