namespace Dstack.Attestation.OsImage;

/// <summary>
/// TdHobWitnessV1 (spec os-image-verification §1.5): the TDVF's TD_HOB/TEMP_MEM sections, in 4 KiB pages, as
/// unsigned LEB128 varints <c>base_page, td_hob_page_delta, range_count, range_count × (start_page_delta,
/// page_count)</c>.
/// </summary>
public sealed record TdHobWitness
{
    /// <summary>The witness of the dstack TDVF: base 0x800000, TD HOB at 0x809000, four ranges.</summary>
    public static ReadOnlySpan<byte> DstackTdvf => [0x80, 0x10, 0x09, 0x04, 0x00, 0x06, 0x09, 0x02, 0x0b, 0x02, 0x10, 0x10];

    /// <summary>
    /// Most ranges accepted (a TDVF has a handful of TD_HOB/TEMP_MEM sections); a bound of ours, not the spec's, so
    /// that a hostile document cannot make the reconstruction quadratic in a large count.
    /// </summary>
    public const int MaxRanges = 1024;

    /// <summary>First page of the TDVF's memory sections.</summary>
    public required ulong BasePage { get; init; }

    /// <summary>Pages from <see cref="BasePage"/> to the TD HOB.</summary>
    public required ulong TdHobPageDelta { get; init; }

    /// <summary>The accepted ranges, in order, as (pages from <see cref="BasePage"/>, page count).</summary>
    public required IReadOnlyList<(ulong StartPageDelta, ulong PageCount)> Ranges { get; init; }

    /// <summary>Decodes a witness; the whole input must be consumed.</summary>
    /// <exception cref="OsImageException">A varint is truncated or too large, or bytes are left over.</exception>
    public static TdHobWitness Decode(ReadOnlySpan<byte> data)
    {
        var offset = 0;
        var basePage = ReadVarUInt(data, ref offset);
        var hobDelta = ReadVarUInt(data, ref offset);
        var count = ReadVarUInt(data, ref offset);
        if (count > MaxRanges)
        {
            throw new OsImageException($"TD HOB witness has {count} ranges, at most {MaxRanges} are supported");
        }

        var ranges = new List<(ulong, ulong)>();
        for (ulong i = 0; i < count; i++)
        {
            var start = ReadVarUInt(data, ref offset);
            var pages = ReadVarUInt(data, ref offset);
            ranges.Add((start, pages));
        }

        if (offset != data.Length)
        {
            throw new OsImageException("TD HOB witness has trailing bytes");
        }

        return new TdHobWitness { BasePage = basePage, TdHobPageDelta = hobDelta, Ranges = ranges };
    }

    /// <summary>Encodes the witness (minimal LEB128).</summary>
    public byte[] Encode()
    {
        var output = new List<byte>();
        WriteVarUInt(output, BasePage);
        WriteVarUInt(output, TdHobPageDelta);
        WriteVarUInt(output, (ulong)Ranges.Count);
        foreach (var (start, pages) in Ranges)
        {
            WriteVarUInt(output, start);
            WriteVarUInt(output, pages);
        }

        return [.. output];
    }

    private static ulong ReadVarUInt(ReadOnlySpan<byte> data, ref int offset)
    {
        ulong value = 0;
        var shift = 0;
        while (true)
        {
            if (offset >= data.Length)
            {
                throw new OsImageException("truncated TD HOB witness varuint");
            }

            if (shift >= 64)
            {
                throw new OsImageException("TD HOB witness varuint is too large");
            }

            var b = data[offset++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }

            shift += 7;
        }
    }

    private static void WriteVarUInt(List<byte> output, ulong value)
    {
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            output.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
    }
}
