namespace Dstack.Attestation.Quotes;

/// <summary>The TD report body of a quote (spec tdx-boot §2.2): TD 1.0 (584 bytes) or TD 1.5 (648 bytes).</summary>
public sealed class TdReportBody
{
    /// <summary>Size of a TD 1.0 report body.</summary>
    public const int Td10Size = 584;

    /// <summary>Size of a TD 1.5 report body.</summary>
    public const int Td15Size = 648;

    private const int MeasurementSize = 48;

    private TdReportBody(ReadOnlySpan<byte> raw)
    {
        Raw = raw.ToArray();
        TeeTcbSvn = Slice(0, 16);
        MrSeam = Slice(16, MeasurementSize);
        MrSignerSeam = Slice(64, MeasurementSize);
        SeamAttributes = Slice(112, 8);
        TdAttributes = Slice(120, 8);
        Xfam = Slice(128, 8);
        MrTd = Slice(136, MeasurementSize);
        MrConfigId = Slice(184, MeasurementSize);
        MrOwner = Slice(232, MeasurementSize);
        MrOwnerConfig = Slice(280, MeasurementSize);
        Rtmrs = [Slice(328, MeasurementSize), Slice(376, MeasurementSize), Slice(424, MeasurementSize), Slice(472, MeasurementSize)];
        ReportData = Slice(520, 64);
        if (raw.Length == Td15Size)
        {
            TeeTcbSvn2 = Slice(584, 16);
            MrServiceTd = Slice(600, MeasurementSize);
        }
    }

    /// <summary>Whether this is a TD 1.5 body (with <see cref="TeeTcbSvn2"/> and <see cref="MrServiceTd"/>).</summary>
    public bool IsTd15 => Raw.Length == Td15Size;

    /// <summary>TEE_TCB_SVN (16 bytes): SVNs of the TDX module components.</summary>
    public ReadOnlyMemory<byte> TeeTcbSvn { get; }

    /// <summary>MRSEAM (48 bytes): measurement of the TDX module.</summary>
    public ReadOnlyMemory<byte> MrSeam { get; }

    /// <summary>MRSIGNERSEAM (48 bytes): zero for Intel-signed TDX modules.</summary>
    public ReadOnlyMemory<byte> MrSignerSeam { get; }

    /// <summary>SEAMATTRIBUTES (8 bytes).</summary>
    public ReadOnlyMemory<byte> SeamAttributes { get; }

    /// <summary>TDATTRIBUTES (8 bytes, little-endian bit field; bit 0 = DEBUG).</summary>
    public ReadOnlyMemory<byte> TdAttributes { get; }

    /// <summary>XFAM (8 bytes).</summary>
    public ReadOnlyMemory<byte> Xfam { get; }

    /// <summary>MRTD (48 bytes): measurement of the initial TD contents.</summary>
    public ReadOnlyMemory<byte> MrTd { get; }

    /// <summary>MRCONFIGID (48 bytes).</summary>
    public ReadOnlyMemory<byte> MrConfigId { get; }

    /// <summary>MROWNER (48 bytes).</summary>
    public ReadOnlyMemory<byte> MrOwner { get; }

    /// <summary>MROWNERCONFIG (48 bytes).</summary>
    public ReadOnlyMemory<byte> MrOwnerConfig { get; }

    /// <summary>RTMR0–RTMR3 (48 bytes each), indexed 0..3.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Rtmrs { get; }

    /// <summary>RTMR0.</summary>
    public ReadOnlyMemory<byte> Rtmr0 => Rtmrs[0];

    /// <summary>RTMR1.</summary>
    public ReadOnlyMemory<byte> Rtmr1 => Rtmrs[1];

    /// <summary>RTMR2.</summary>
    public ReadOnlyMemory<byte> Rtmr2 => Rtmrs[2];

    /// <summary>RTMR3.</summary>
    public ReadOnlyMemory<byte> Rtmr3 => Rtmrs[3];

    /// <summary>REPORTDATA (64 bytes) chosen by the TD.</summary>
    public ReadOnlyMemory<byte> ReportData { get; }

    /// <summary>TEE_TCB_SVN2 (16 bytes) of a TD 1.5 body; empty for TD 1.0.</summary>
    public ReadOnlyMemory<byte> TeeTcbSvn2 { get; }

    /// <summary>MRSERVICETD (48 bytes) of a TD 1.5 body; empty for TD 1.0.</summary>
    public ReadOnlyMemory<byte> MrServiceTd { get; }

    /// <summary>Whether the TD runs in DEBUG mode (<c>TDATTRIBUTES[0] &amp; 1</c>).</summary>
    public bool IsDebug => (TdAttributes.Span[0] & 0x01) != 0;

    /// <summary>The raw body bytes.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    internal static TdReportBody Create(ReadOnlySpan<byte> raw) => new(raw);

    private ReadOnlyMemory<byte> Slice(int offset, int length) => Raw.Slice(offset, length);
}
