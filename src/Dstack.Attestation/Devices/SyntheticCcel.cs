using System.Security.Cryptography;
using System.Text;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Devices;

/// <summary>
/// Builds the small, valid CCEL area a simulated TD boots with (spec tdx-boot §3.3 format, written by
/// <see cref="CcelWriter"/>): a Spec ID header (one algorithm, SHA-384), then RTMR0/RTMR1 events including three
/// "ACPI DATA" events, then 0xFFFFFFFF.
/// </summary>
internal static class SyntheticCcel
{
    public static byte[] Build()
    {
        using var ms = new MemoryStream();
        CcelWriter.WriteHeader(ms);
        Record(ms, 1, 0x8000000B, "TdxTable simulated"u8);
        Record(ms, 1, 0x8000000A, "simulated firmware volume"u8);
        Record(ms, 1, 10, "ACPI DATA"u8);
        Record(ms, 1, 10, "ACPI DATA"u8);
        Record(ms, 1, 10, "ACPI DATA"u8);
        Record(ms, 1, 4, [0, 0, 0, 0]);
        Record(ms, 2, 0x80000003, "simulated kernel"u8);
        Record(ms, 2, 0x80000007, "Exit Boot Services Invocation"u8);
        ms.Write([0xFF, 0xFF, 0xFF, 0xFF]);
        return ms.ToArray();
    }

    private static void Record(MemoryStream ms, uint mrIndex, uint eventType, ReadOnlySpan<byte> data)
    {
        // digest of the measured object; here a hash of a label plus the event data
        var digest = SHA384.HashData([.. Encoding.ASCII.GetBytes("dstack-simulated-boot:"), .. data]);
        CcelWriter.WriteRecord(ms, mrIndex, eventType, digest, data);
    }
}
