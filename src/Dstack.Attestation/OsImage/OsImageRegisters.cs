using System.Text.Json;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.OsImage;

/// <summary>The registers OS-image verification compares: MRTD and RTMR0–2 (48 bytes each).</summary>
/// <param name="MrTd">MRTD.</param>
/// <param name="Rtmr0">RTMR0.</param>
/// <param name="Rtmr1">RTMR1.</param>
/// <param name="Rtmr2">RTMR2.</param>
public sealed record OsImageRegisters(byte[] MrTd, byte[] Rtmr0, byte[] Rtmr1, byte[] Rtmr2)
{
    /// <summary>The registers of a quote or TD report.</summary>
    public static OsImageRegisters Of(TdMeasurements measurements)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        return new OsImageRegisters(measurements.MrTd, measurements.Rtmr0, measurements.Rtmr1, measurements.Rtmr2);
    }

    /// <summary>
    /// The §3.1 step 9 comparison: null when equal, else <c>MRs do not match: &lt;REG&gt; mismatch: expected=…,
    /// actual=…</c> for the first differing register in the order MRTD, RTMR0, RTMR1, RTMR2.
    /// </summary>
    public static string? FirstMismatch(OsImageRegisters expected, OsImageRegisters actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        (string Name, byte[] Expected, byte[] Actual)[] pairs =
        [
            ("MRTD", expected.MrTd, actual.MrTd),
            ("RTMR0", expected.Rtmr0, actual.Rtmr0),
            ("RTMR1", expected.Rtmr1, actual.Rtmr1),
            ("RTMR2", expected.Rtmr2, actual.Rtmr2),
        ];
        foreach (var (name, e, a) in pairs)
        {
            if (!e.AsSpan().SequenceEqual(a))
            {
                return $"MRs do not match: {name} mismatch: expected={Convert.ToHexStringLower(e)}, actual={Convert.ToHexStringLower(a)}";
            }
        }

        return null;
    }

    /// <summary>Writes <c>{"mrtd","rtmr0","rtmr1","rtmr2"}</c> as lowercase hex.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("mrtd", Convert.ToHexStringLower(MrTd));
        writer.WriteString("rtmr0", Convert.ToHexStringLower(Rtmr0));
        writer.WriteString("rtmr1", Convert.ToHexStringLower(Rtmr1));
        writer.WriteString("rtmr2", Convert.ToHexStringLower(Rtmr2));
        writer.WriteEndObject();
    }
}
