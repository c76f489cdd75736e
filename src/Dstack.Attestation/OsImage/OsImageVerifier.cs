using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.OsImage;

/// <summary>
/// Checks that a TD's MRTD/RTMR0–2 are those of the OS image named by <c>vm_config.os_image_hash</c>, by the lite
/// algorithm (spec os-image-verification §3.1, steps 2–9; step 1, the quote itself, is the caller's). The first
/// failing step decides the reason; nothing throws for a refusal.
/// </summary>
public static class OsImageVerifier
{
    /// <summary>The reason <see cref="Verify"/> gives for a config that is not <c>lite</c>.</summary>
    public const string NotLiteReason =
        "vm_config.tdx_attestation_variant is not lite: the OS image measurements must be obtained from the image bundle (download)";

    /// <summary>Lite verification with the material of <c>vm_config.tdx_measurement</c>.</summary>
    public static OsImageVerdict Verify(OsImageVmConfig config, OsImageRegisters actual, IReadOnlyList<TdxEvent> eventLog)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(eventLog);
        if (!config.IsLite)
        {
            return Refuse(config, actual, OsImageVerdict.LiteMode, NotLiteReason);
        }

        if (config.TdxMeasurement is null)
        {
            return Refuse(config, actual, OsImageVerdict.LiteMode, "tdx lite attestation requires vm_config.tdx_measurement");
        }

        return Run(config, config.TdxMeasurement, actual, eventLog, OsImageVerdict.LiteMode);
    }

    /// <summary>
    /// The same computation with material obtained elsewhere (a downloaded bundle), bound again to the config's
    /// <c>os_image_hash</c>; the config's variant is not consulted.
    /// </summary>
    public static OsImageVerdict VerifyWithMaterial(
        OsImageVmConfig config, OsImageMaterial material, OsImageRegisters actual, IReadOnlyList<TdxEvent> eventLog)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(material);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(eventLog);
        return Run(config, material, actual, eventLog, OsImageVerdict.BundleMode);
    }

    private static OsImageVerdict Run(
        OsImageVmConfig config, OsImageMaterial material, OsImageRegisters actual, IReadOnlyList<TdxEvent> eventLog, string mode)
    {
        try
        {
            material.Bind(config.OsImageHash);
        }
        catch (OsImageException ex)
        {
            return Refuse(config, actual, mode, "tdx lite measurement material does not match os_image_hash: " + ex.Message);
        }

        TdxOsImageMeasurement document;
        try
        {
            document = TdxOsImageMeasurement.Decode(material.Measurement);
        }
        catch (OsImageException ex)
        {
            return Refuse(config, actual, mode, "failed to decode vm_config.tdx_measurement CBOR: " + ex.Message);
        }

        if (config.OvmfVariant is not null && config.OvmfVariant != document.Ovmf)
        {
            return Refuse(config, actual, mode, $"tdx measurement ovmf_variant mismatch: vm_config={config.OvmfVariant}, document={document.Ovmf}");
        }

        AcpiDigests acpi;
        try
        {
            acpi = AcpiDigests.FromEventLog(eventLog);
        }
        catch (OsImageException ex)
        {
            return Refuse(config, actual, mode, "TDX lite attestation is missing named RTMR0 ACPI DATA digests: " + ex.Message);
        }

        LiteBootMeasurement expected;
        try
        {
            expected = LiteBootMeasurement.Compute(document, config.MemorySize, config.QemuVersion, config.QemuSinglePassAddPages, acpi);
        }
        catch (OsImageException ex)
        {
            return Refuse(config, actual, mode, ex.Message);
        }

        return new OsImageVerdict
        {
            OsImageHash = Convert.ToHexStringLower(config.OsImageHash),
            Reason = OsImageRegisters.FirstMismatch(expected.Registers, actual),
            Expected = expected.Registers,
            Actual = actual,
            Mode = mode,
        };
    }

    private static OsImageVerdict Refuse(OsImageVmConfig config, OsImageRegisters actual, string mode, string reason) => new()
    {
        OsImageHash = Convert.ToHexStringLower(config.OsImageHash),
        Reason = reason,
        Actual = actual,
        Mode = mode,
    };
}
