using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Dstack.Attestation.OsImage;

/// <summary>
/// The TD HOB the TDVF measures as the first RTMR0 event, rebuilt from a <see cref="TdHobWitness"/> and the VM's
/// <c>memory_size</c> (spec os-image-verification §3.4).
/// </summary>
public sealed class TdHob
{
    /// <summary>Above this memory size QEMU puts the RAM beyond 2 GiB above 4 GiB.</summary>
    public const ulong HighMemoryThreshold = 0xB0000000;

    private const ulong PageSize = 0x1000;
    private const ulong TwoGiB = 0x80000000;
    private const ulong FourGiB = 0x100000000;
    private const int HeaderSize = 56;
    private const int DescriptorSize = 48;

    private TdHob(byte[] bytes, ulong hobBase, IReadOnlyList<TdHobResource> resources)
    {
        Bytes = bytes;
        HobBase = hobBase;
        Resources = resources;
        Digest = SHA384.HashData(bytes);
        EndOfHobList = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(48));
    }

    /// <summary>The measured HOB bytes (handoff header and resource descriptors).</summary>
    public byte[] Bytes { get; }

    /// <summary>SHA-384 of <see cref="Bytes"/>: the first RTMR0 event digest.</summary>
    public byte[] Digest { get; }

    /// <summary>Physical address of the HOB.</summary>
    public ulong HobBase { get; }

    /// <summary>The <c>EfiEndOfHobList</c> written in the handoff header.</summary>
    public ulong EndOfHobList { get; }

    /// <summary>The resource descriptors, in order.</summary>
    public IReadOnlyList<TdHobResource> Resources { get; }

    /// <summary>Rebuilds the TD HOB for <paramref name="witness"/> and <paramref name="memorySize"/>.</summary>
    /// <exception cref="OsImageException">An address overflows or a range ends before it starts.</exception>
    public static TdHob Build(TdHobWitness witness, ulong memorySize)
    {
        ArgumentNullException.ThrowIfNull(witness);
        var hobBase = Checked(() => checked((witness.BasePage + witness.TdHobPageDelta) * PageSize), "TD HOB base address overflow");

        // the memory map: [start, end) with an accepted flag, kept sorted by start
        var ranges = new List<(ulong Start, ulong End, bool Accepted)> { (0, memorySize, false) };
        foreach (var (startDelta, pageCount) in witness.Ranges)
        {
            var start = Checked(() => checked((witness.BasePage + startDelta) * PageSize), "TD HOB range start overflow");
            var end = Checked(() => checked(start + (pageCount * PageSize)), "TD HOB range length overflow");
            var next = new List<(ulong, ulong, bool)>(ranges.Count + 2);
            foreach (var r in ranges)
            {
                if (r.Accepted || r.End <= start || r.Start >= end)
                {
                    next.Add(r);
                    continue;
                }

                if (r.Start < start)
                {
                    next.Add((r.Start, start, false));
                }

                if (end < r.End)
                {
                    next.Add((end, r.End, false));
                }
            }

            next.Add((start, end, true));
            ranges = [.. next.OrderBy(r => r.Item1)];
        }

        var resources = new List<TdHobResource>();
        for (var i = 0; i < ranges.Count - 1; i++)
        {
            var (start, end, accepted) = ranges[i];
            if (end < start)
            {
                throw new OsImageException("Invalid memory range: end < start");
            }

            resources.Add(new TdHobResource(accepted ? TdHobResource.Accepted : TdHobResource.Unaccepted, start, end - start));
        }

        var (lastStart, lastEnd, _) = ranges[^1];
        if (lastEnd < lastStart)
        {
            throw new OsImageException("Invalid last memory range: end < start");
        }

        if (memorySize >= HighMemoryThreshold)
        {
            if (lastStart < TwoGiB)
            {
                resources.Add(new TdHobResource(TdHobResource.Unaccepted, lastStart, TwoGiB - lastStart));
            }

            if (lastEnd > TwoGiB)
            {
                resources.Add(new TdHobResource(TdHobResource.Unaccepted, FourGiB, lastEnd - TwoGiB));
            }
        }
        else
        {
            resources.Add(new TdHobResource(TdHobResource.Unaccepted, lastStart, lastEnd - lastStart));
        }

        var bytes = new byte[HeaderSize + (resources.Count * DescriptorSize)];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(span, 1); // EFI_HOB_TYPE_HANDOFF
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], 9); // handoff version
        var offset = HeaderSize;
        foreach (var resource in resources)
        {
            var d = span.Slice(offset, DescriptorSize);
            BinaryPrimitives.WriteUInt16LittleEndian(d, 3); // EFI_HOB_TYPE_RESOURCE_DESCRIPTOR
            BinaryPrimitives.WriteUInt16LittleEndian(d[2..], DescriptorSize);
            d[24] = resource.Type;
            BinaryPrimitives.WriteUInt32LittleEndian(d[28..], 7); // present | initialized | tested
            BinaryPrimitives.WriteUInt64LittleEndian(d[32..], resource.Start);
            BinaryPrimitives.WriteUInt64LittleEndian(d[40..], resource.Length);
            offset += DescriptorSize;
        }

        var endOfList = Checked(() => checked(hobBase + (ulong)bytes.Length + 8), "TD HOB base address overflow");
        BinaryPrimitives.WriteUInt64LittleEndian(span[48..], endOfList);
        return new TdHob(bytes, hobBase, resources);
    }

    private static ulong Checked(Func<ulong> compute, string error)
    {
        try
        {
            return compute();
        }
        catch (OverflowException ex)
        {
            throw new OsImageException(error, ex);
        }
    }
}
