using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.OsImage;

/// <summary>
/// The three host-chosen ACPI digests of RTMR0 (events 8–10), taken from the event log by name (spec
/// os-image-verification §3.2).
/// </summary>
/// <param name="Loader">The <c>acpi-loader</c> digest.</param>
/// <param name="Rsdp">The <c>acpi-rsdp</c> digest.</param>
/// <param name="Tables">The <c>acpi-tables</c> digest.</param>
public sealed record AcpiDigests(byte[] Loader, byte[] Rsdp, byte[] Tables)
{
    /// <summary>The event names, in RTMR0 order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["acpi-loader", "acpi-rsdp", "acpi-tables"];

    /// <summary>
    /// Selects the RTMR0 <c>ACPI DATA</c> events of <paramref name="eventLog"/>: exactly three candidates, each name
    /// carried by exactly one of them, with a 48-byte digest.
    /// </summary>
    /// <exception cref="OsImageException">The count, a name or a digest length is wrong (the spec's inner reason).</exception>
    public static AcpiDigests FromEventLog(IReadOnlyList<TdxEvent> eventLog)
    {
        ArgumentNullException.ThrowIfNull(eventLog);
        var candidates = eventLog.Where(CcelParser.IsAcpiDataEvent).ToList();
        if (candidates.Count != 3)
        {
            var rtmr0 = eventLog.Count(e => e.Imr == 0);
            throw new OsImageException(
                $"TDX lite attestation requires exactly 3 RTMR0 ACPI DATA events; found {candidates.Count} candidates and {rtmr0} RTMR0 events");
        }

        var digests = new byte[3][];
        for (var i = 0; i < 3; i++)
        {
            var name = Names[i];
            var named = candidates.Where(e => e.Event == name).ToList();
            if (named.Count != 1)
            {
                throw new OsImageException($"TDX lite attestation requires exactly one RTMR0 ACPI DATA event named {name}; found {named.Count}");
            }

            if (named[0].Digest.Length != 48)
            {
                throw new OsImageException($"TDX RTMR0 ACPI DATA event {name} has invalid digest length {named[0].Digest.Length}, expected 48");
            }

            digests[i] = named[0].Digest;
        }

        return new AcpiDigests(digests[0], digests[1], digests[2]);
    }
}
