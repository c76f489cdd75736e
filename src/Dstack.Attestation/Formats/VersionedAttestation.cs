using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Formats;

/// <summary>A dstack versioned attestation (spec guest-agent-api §5.4) for the TDX platform.</summary>
public sealed record VersionedAttestation
{
    /// <summary>Size of <see cref="ReportData"/>.</summary>
    public const int ReportDataSize = 64;

    /// <summary>Wire version it was decoded from: 0 (SCALE) or 1 (msgpack).</summary>
    public int WireVersion { get; init; }

    /// <summary>The quote variant; only <see cref="AttestationPlatform.DstackTdx"/> is decoded.</summary>
    public AttestationPlatform Platform { get; init; } = AttestationPlatform.DstackTdx;

    /// <summary>The raw quote (trailing padding included).</summary>
    public required byte[] Quote { get; init; }

    /// <summary>The event log (boot and runtime events, possibly stripped).</summary>
    public required IReadOnlyList<TdxEvent> EventLog { get; init; }

    /// <summary>The runtime events.</summary>
    public required IReadOnlyList<RuntimeEvent> RuntimeEvents { get; init; }

    /// <summary>The 64-byte report data.</summary>
    public required byte[] ReportData { get; init; }

    /// <summary>The <c>vm_config</c> JSON (older captures: the whole sys-config JSON).</summary>
    public required string Config { get; init; }
}
