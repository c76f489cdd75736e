namespace Dstack.Attestation.Devices;

/// <summary>
/// The seam between dstack and the TDX hardware: TD reports, quotes, RTMR extension and the boot event log.
/// Implemented for Linux (configfs-tsm, <c>/dev/tdx_guest</c>, sysfs, CCEL) and by a simulated TD.
/// </summary>
public interface ITdxDevice
{
    /// <summary>Size of the caller data bound into a report or quote.</summary>
    public const int ReportDataSize = 64;

    /// <summary>Size of a TDREPORT.</summary>
    public const int TdReportSize = 1024;

    /// <summary>Size of an RTMR value and of the digest extended into it (SHA-384).</summary>
    public const int RtmrSize = 48;

    /// <summary>Returns the 1024-byte TDREPORT binding <paramref name="reportData"/> (exactly 64 bytes).</summary>
    Task<byte[]> GetTdReportAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken);

    /// <summary>Returns a DCAP quote binding <paramref name="reportData"/> (exactly 64 bytes), as the platform produced it (trailing padding included).</summary>
    Task<byte[]> GetQuoteAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken);

    /// <summary>Extends RTMR <paramref name="index"/> with a 48-byte <paramref name="digest"/>: RTMR := SHA-384(RTMR ‖ digest).</summary>
    Task ExtendRtmrAsync(int index, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken);

    /// <summary>Returns the raw CCEL event-log area (boot events for RTMR0–2).</summary>
    Task<byte[]> ReadCcelAsync(CancellationToken cancellationToken);
}
