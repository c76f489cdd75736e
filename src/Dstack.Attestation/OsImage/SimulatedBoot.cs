using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.OsImage;

/// <summary>
/// The boot state of a simulated TD booted from a <see cref="SimulatedOsImage"/> (spec os-image-verification §7.3):
/// the registers the lite algorithm expects, the 20 boot events whose replay gives RTMR0–2, and their CCEL encoding.
/// </summary>
public sealed record SimulatedBoot
{
    /// <summary>MRTD and RTMR0–2.</summary>
    public required OsImageRegisters Registers { get; init; }

    /// <summary>The boot events (13 RTMR0, 5 RTMR1, 2 RTMR2), ACPI events labelled, in CCEL order.</summary>
    public required IReadOnlyList<TdxEvent> Events { get; init; }

    /// <summary>The CCEL area encoding <see cref="Events"/> (what <c>/sys/firmware/acpi/tables/data/CCEL</c> would hold).</summary>
    public required byte[] Ccel { get; init; }

    /// <summary>The <c>vm_config</c> JSON the TD carries.</summary>
    public required string VmConfig { get; init; }

    /// <summary>MRTD.</summary>
    public byte[] MrTd => Registers.MrTd;

    /// <summary>RTMR0.</summary>
    public byte[] Rtmr0 => Registers.Rtmr0;

    /// <summary>RTMR1.</summary>
    public byte[] Rtmr1 => Registers.Rtmr1;

    /// <summary>RTMR2.</summary>
    public byte[] Rtmr2 => Registers.Rtmr2;
}
