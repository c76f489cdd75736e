namespace Dstack.Attestation.Tests.Simulation;

/// <summary>Builds 1024-byte TDREPORTs (spec tdx-boot §1.6) with recognisable field values.</summary>
internal static class TdReports
{
    public static byte[] Create(bool debug = false)
    {
        var report = new byte[1024];
        for (var i = 0; i < 64; i++)
        {
            report[128 + i] = (byte)(0xd0 + (i % 16));   // REPORTDATA
        }

        report[264] = 0x0b;                                 // TEE_TCB_SVN[0]
        Fill(report, 280, 48, 0x5e);                        // MRSEAM
        report[512 + 3] = 0x10;                             // TDATTRIBUTES: SEPT_VE_DISABLE
        if (debug)
        {
            report[512] |= 0x01;
        }

        report[520] = 0xe7;                                 // XFAM
        Fill(report, 528, 48, 0x11);                        // MRTD
        for (var i = 0; i < 4; i++)
        {
            Fill(report, 720 + (48 * i), 48, (byte)(0xa0 + i)); // RTMR0–3
        }

        Fill(report, 912, 48, 0x77);                        // SERVTD_HASH: not part of the quote body
        return report;
    }

    private static void Fill(byte[] buffer, int offset, int count, byte value) => buffer.AsSpan(offset, count).Fill(value);
}
