using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;

namespace Dstack.Agent.Platform;

/// <summary>Serialises a <see cref="TdAttestation"/> as a dstack VersionedAttestation (V0 SCALE, spec §5.4).</summary>
internal static class AttestationEncoding
{
    /// <summary>The full attestation <c>Attest</c> returns: every event with digest and payload.</summary>
    public static byte[] Full(TdAttestation attestation, string vmConfig) => Encode(attestation, attestation.EventLog, vmConfig);

    /// <summary>
    /// The attestation embedded in certificates (spec §5.3): of the boot events only the three RTMR0 ACPI DATA events
    /// are kept (digest and payload), runtime events keep their payload with the digest emptied, everything else is
    /// dropped. The runtime event list is kept whole.
    /// </summary>
    public static byte[] ForCertificate(TdAttestation attestation, string vmConfig)
    {
        var lite = new List<TdxEvent>();
        foreach (var e in attestation.EventLog)
        {
            if (e.IsRuntimeEvent)
            {
                lite.Add(e with { Digest = [] });
            }
            else if (CcelParser.IsAcpiDataEvent(e))
            {
                lite.Add(e);
            }
        }

        return Encode(attestation, lite, vmConfig);
    }

    private static byte[] Encode(TdAttestation attestation, IReadOnlyList<TdxEvent> events, string vmConfig) =>
        AttestationCodec.EncodeV0(new VersionedAttestation
        {
            Quote = attestation.Quote,
            EventLog = events,
            RuntimeEvents = attestation.RuntimeEvents,
            ReportData = attestation.ReportData,
            Config = vmConfig,
        });
}
