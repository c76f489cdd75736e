using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Dstack.Attestation.Devices;

/// <summary>
/// Builds the small, valid CCEL area a simulated TD boots with (spec tdx-boot §3.3 format): a Spec ID header
/// (one algorithm, SHA-384), then RTMR0/RTMR1 events including three "ACPI DATA" events, then 0xFFFFFFFF.
/// </summary>
internal static class SyntheticCcel
{
    public static byte[] Build()
    {
        using var ms = new MemoryStream();
        // header record: pcrIndex 1, EV_NO_ACTION, SHA-1 zero digest, Spec ID Event03 body
        var body = new List<byte>();
        body.AddRange("Spec ID Event03\0"u8.ToArray());
        body.AddRange(U32(0)); // platformClass
        body.AddRange([0, 2, 0, 2]); // spec 2.0, errata 0, uintnSize 2 (64-bit)
        body.AddRange(U32(1));
        body.AddRange([0x0C, 0x00, 48, 0x00]); // SHA-384, 48 bytes
        body.Add(0); // no vendor info
        ms.Write(U32(1));
        ms.Write(U32(3));
        ms.Write(new byte[20]);
        ms.Write(U32((uint)body.Count));
        ms.Write(body.ToArray());

        Record(ms, 1, 0x8000000B, "TdxTable simulated"u8);
        Record(ms, 1, 0x8000000A, "simulated firmware volume"u8);
        Record(ms, 1, 10, "ACPI DATA"u8);
        Record(ms, 1, 10, "ACPI DATA"u8);
        Record(ms, 1, 10, "ACPI DATA"u8);
        Record(ms, 1, 4, [0, 0, 0, 0]);
        Record(ms, 2, 0x80000003, "simulated kernel"u8);
        Record(ms, 2, 0x80000007, "Exit Boot Services Invocation"u8);
        ms.Write(U32(0xFFFFFFFF));
        return ms.ToArray();
    }

    private static void Record(MemoryStream ms, uint mrIndex, uint eventType, ReadOnlySpan<byte> data)
    {
        ms.Write(U32(mrIndex));
        ms.Write(U32(eventType));
        ms.Write(U32(1));
        ms.Write([0x0C, 0x00]);
        // digest of the measured object; here a hash of a label plus the event data
        ms.Write(SHA384.HashData([.. Encoding.ASCII.GetBytes("dstack-simulated-boot:"), .. data]));
        ms.Write(U32((uint)data.Length));
        ms.Write(data);
    }

    private static byte[] U32(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return b;
    }
}
