using System.Buffers.Binary;

namespace Dstack.Attestation.Quotes;

/// <summary>The 48-byte DCAP quote header (spec tdx-boot §2.1).</summary>
public sealed class QuoteHeader
{
    /// <summary>Size of the header in bytes.</summary>
    public const int Size = 48;

    /// <summary>Attestation key type for ECDSA-256 with P-256.</summary>
    public const ushort EcdsaP256KeyType = 2;

    /// <summary>TEE type of a TDX quote.</summary>
    public const uint TdxTeeType = 0x81;

    private QuoteHeader(ReadOnlySpan<byte> raw)
    {
        Raw = raw.ToArray();
        Version = BinaryPrimitives.ReadUInt16LittleEndian(raw);
        AttestationKeyType = BinaryPrimitives.ReadUInt16LittleEndian(raw[2..]);
        TeeType = BinaryPrimitives.ReadUInt32LittleEndian(raw[4..]);
        Reserved1 = BinaryPrimitives.ReadUInt16LittleEndian(raw[8..]);
        Reserved2 = BinaryPrimitives.ReadUInt16LittleEndian(raw[10..]);
        QeVendorId = raw.Slice(12, 16).ToArray();
        UserData = raw.Slice(28, 20).ToArray();
    }

    /// <summary>Intel's QE vendor id <c>939a7233f79c4ca9940a0db3957f0607</c>.</summary>
    public static ReadOnlySpan<byte> IntelQeVendorId =>
        [0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07];

    /// <summary>Quote format version (4 or 5).</summary>
    public int Version { get; }

    /// <summary>Attestation key type (2 = ECDSA P-256).</summary>
    public int AttestationKeyType { get; }

    /// <summary>TEE type (0x81 = TDX).</summary>
    public uint TeeType { get; }

    /// <summary>Bytes 8–9 (reserved; <c>qe_svn</c> in v3 naming).</summary>
    public int Reserved1 { get; }

    /// <summary>Bytes 10–11 (reserved; <c>pce_svn</c> in v3 naming).</summary>
    public int Reserved2 { get; }

    /// <summary>The 16-byte QE vendor id.</summary>
    public ReadOnlyMemory<byte> QeVendorId { get; }

    /// <summary>The 20-byte user data (QE/platform id in the first 16 bytes).</summary>
    public ReadOnlyMemory<byte> UserData { get; }

    /// <summary>The raw 48 header bytes.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    internal static QuoteHeader Read(ref QuoteReader reader)
    {
        var start = reader.Position;
        var raw = reader.ReadBytes(Size, "header");
        var header = new QuoteHeader(raw);
        if (header.Version is not (4 or 5))
        {
            throw new QuoteFormatException("header.version", start, $"unsupported quote version {header.Version} (expected 4 or 5)");
        }

        if (header.AttestationKeyType != EcdsaP256KeyType)
        {
            throw new QuoteFormatException("header.attestation_key_type", start + 2, $"unsupported attestation key type {header.AttestationKeyType} (expected 2, ECDSA P-256)");
        }

        if (header.TeeType != TdxTeeType)
        {
            throw new QuoteFormatException("header.tee_type", start + 4, $"unsupported TEE type 0x{header.TeeType:x} (expected 0x81, TDX)");
        }

        return header;
    }
}
