using System.Buffers.Binary;

namespace Dstack.Attestation.Quotes;

/// <summary>The 384-byte SGX report body of the TD Quoting Enclave carried in certification data type 6 (spec tdx-boot §2.3).</summary>
public sealed class QeReport
{
    /// <summary>Size of the QE report.</summary>
    public const int Size = 384;

    private QeReport(ReadOnlySpan<byte> raw)
    {
        Raw = raw.ToArray();
        CpuSvn = Raw.Slice(0, 16);
        MiscSelect = BinaryPrimitives.ReadUInt32LittleEndian(raw[16..]);
        Attributes = Raw.Slice(48, 16);
        MrEnclave = Raw.Slice(64, 32);
        MrSigner = Raw.Slice(128, 32);
        IsvProdId = BinaryPrimitives.ReadUInt16LittleEndian(raw[256..]);
        IsvSvn = BinaryPrimitives.ReadUInt16LittleEndian(raw[258..]);
        ReportData = Raw.Slice(320, 64);
    }

    /// <summary>CPUSVN (16 bytes).</summary>
    public ReadOnlyMemory<byte> CpuSvn { get; }

    /// <summary>MISCSELECT.</summary>
    public uint MiscSelect { get; }

    /// <summary>ATTRIBUTES (16 bytes).</summary>
    public ReadOnlyMemory<byte> Attributes { get; }

    /// <summary>MRENCLAVE (32 bytes).</summary>
    public ReadOnlyMemory<byte> MrEnclave { get; }

    /// <summary>MRSIGNER (32 bytes).</summary>
    public ReadOnlyMemory<byte> MrSigner { get; }

    /// <summary>ISVPRODID (TDX QE = 2).</summary>
    public int IsvProdId { get; }

    /// <summary>ISVSVN.</summary>
    public int IsvSvn { get; }

    /// <summary>REPORTDATA (64 bytes): SHA-256(attestation key ‖ QE auth data) then 32 zero bytes.</summary>
    public ReadOnlyMemory<byte> ReportData { get; }

    /// <summary>The raw 384 bytes (what the QE report signature covers).</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    internal static QeReport Create(ReadOnlySpan<byte> raw) => new(raw);
}
