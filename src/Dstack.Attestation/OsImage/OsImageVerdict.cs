using System.Text;
using System.Text.Json;

namespace Dstack.Attestation.OsImage;

/// <summary>The outcome of an OS-image check (spec os-image-verification §3.1).</summary>
public sealed record OsImageVerdict
{
    /// <summary>Mode of a check whose material came from <c>vm_config.tdx_measurement</c>.</summary>
    public const string LiteMode = "lite";

    /// <summary>Mode of a check whose material came from an image bundle.</summary>
    public const string BundleMode = "bundle";

    /// <summary><c>vm_config.os_image_hash</c> as lowercase hex (empty when the config has none).</summary>
    public required string OsImageHash { get; init; }

    /// <summary>True when every step passed and the registers match.</summary>
    public bool Verified => Reason is null;

    /// <summary>The first failure (the spec's reason text), or null when verified.</summary>
    public string? Reason { get; init; }

    /// <summary>The computed registers, when the computation got that far.</summary>
    public OsImageRegisters? Expected { get; init; }

    /// <summary>The registers of the quote.</summary>
    public required OsImageRegisters Actual { get; init; }

    /// <summary><see cref="LiteMode"/> or <see cref="BundleMode"/>.</summary>
    public required string Mode { get; init; }

    /// <summary>
    /// Writes <c>{"os_image_hash","verified","reason","mode","expected","actual"}</c>; <c>reason</c> and
    /// <c>expected</c> are null when absent, registers are <c>{mrtd, rtmr0, rtmr1, rtmr2}</c> in lowercase hex.
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("os_image_hash", OsImageHash);
        writer.WriteBoolean("verified", Verified);
        writer.WriteString("reason", Reason);
        writer.WriteString("mode", Mode);
        writer.WritePropertyName("expected");
        if (Expected is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            Expected.WriteJson(writer);
        }

        writer.WritePropertyName("actual");
        Actual.WriteJson(writer);
        writer.WriteEndObject();
    }

    /// <summary>The <see cref="WriteJson"/> form as a string.</summary>
    public string ToJson(bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            WriteJson(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
