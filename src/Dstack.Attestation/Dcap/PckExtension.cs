using System.Formats.Asn1;

namespace Dstack.Attestation.Dcap;

/// <summary>
/// The Intel SGX extension of a PCK leaf certificate (OID 1.2.840.113741.1.13.1): the platform's FMSPC,
/// PCE id and the TCB (16 SGX component SVNs, PCESVN, CPUSVN) the certificate was issued for.
/// </summary>
public sealed class PckExtension
{
    /// <summary>OID of the SGX extension.</summary>
    public const string Oid = "1.2.840.113741.1.13.1";

    private const string TcbOid = Oid + ".2";
    private const string PceIdOid = Oid + ".3";
    private const string FmspcOid = Oid + ".4";
    private const string PpidOid = Oid + ".1";
    private const string SgxTypeOid = Oid + ".5";

    private PckExtension(byte[] fmspc, byte[] pceId, byte[] cpuSvn, int pceSvn, int[] components, byte[] ppid)
    {
        Ppid = ppid;
        Fmspc = fmspc;
        PceId = pceId;
        CpuSvn = cpuSvn;
        PceSvn = pceSvn;
        SgxTcbComponents = components;
    }

    /// <summary>PPID (16 bytes, OID …13.1.1); empty when the extension has none.</summary>
    public ReadOnlyMemory<byte> Ppid { get; }

    /// <summary>FMSPC (6 bytes): family-model-stepping-platform-customSKU.</summary>
    public ReadOnlyMemory<byte> Fmspc { get; }

    /// <summary>PCE id (2 bytes).</summary>
    public ReadOnlyMemory<byte> PceId { get; }

    /// <summary>CPUSVN (16 bytes, OID …13.1.2.18).</summary>
    public ReadOnlyMemory<byte> CpuSvn { get; }

    /// <summary>PCESVN (OID …13.1.2.17).</summary>
    public int PceSvn { get; }

    /// <summary>The 16 SGX TCB component SVNs (OIDs …13.1.2.1 to .16).</summary>
    public IReadOnlyList<int> SgxTcbComponents { get; }

    /// <summary>Parses the extension value (the DER inside the extension's OCTET STRING).</summary>
    /// <exception cref="FormatException">The extension is malformed or misses FMSPC, PCE id or TCB.</exception>
    public static PckExtension Parse(ReadOnlyMemory<byte> value)
    {
        try
        {
            byte[]? fmspc = null, pceId = null, cpuSvn = null, ppid = null;
            int? pceSvn = null;
            var components = new int?[16];
            var outer = new AsnReader(value, AsnEncodingRules.DER).ReadSequence();
            while (outer.HasData)
            {
                var entry = outer.ReadSequence();
                var oid = entry.ReadObjectIdentifier();
                switch (oid)
                {
                    case FmspcOid:
                        fmspc = ReadFixedOctets(entry, 6, "Fmspc");
                        break;
                    case PpidOid:
                        ppid = ReadFixedOctets(entry, 16, "Ppid");
                        break;
                    case PceIdOid:
                        pceId = ReadFixedOctets(entry, 2, "PceId");
                        break;
                    case TcbOid:
                        var tcb = entry.ReadSequence();
                        while (tcb.HasData)
                        {
                            var component = tcb.ReadSequence();
                            var componentOid = component.ReadObjectIdentifier();
                            if (!componentOid.StartsWith(TcbOid + ".", StringComparison.Ordinal)
                                || !int.TryParse(componentOid.AsSpan(TcbOid.Length + 1), out var index))
                            {
                                continue;
                            }

                            if (index is >= 1 and <= 16)
                            {
                                components[index - 1] = ReadSmallInteger(component, $"TCB component {index}");
                            }
                            else if (index == 17)
                            {
                                pceSvn = ReadSmallInteger(component, "PCESVN");
                            }
                            else if (index == 18)
                            {
                                cpuSvn = ReadFixedOctets(component, 16, "CpuSvn");
                            }
                        }

                        break;
                    default:
                        // SGX type, platform instance id, configuration: not needed for TCB evaluation
                        break;
                }
            }

            if (fmspc is null || pceId is null || cpuSvn is null || pceSvn is null || Array.Exists(components, c => c is null))
            {
                throw new FormatException("PCK SGX extension misses FMSPC, PCE-ID, CPUSVN, PCESVN or a TCB component");
            }

            return new PckExtension(fmspc, pceId, cpuSvn, pceSvn.Value, Array.ConvertAll(components, c => c!.Value), ppid ?? []);
        }
        catch (AsnContentException e)
        {
            throw new FormatException("PCK SGX extension is not valid DER: " + e.Message, e);
        }
    }

    /// <summary>Encodes an extension value with the given fields (used by the mock PKI).</summary>
    internal static byte[] Encode(byte[] fmspc, byte[] pceId, byte[] cpuSvn, int pceSvn, int[] components)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            WriteEntry(writer, PpidOid, w => w.WriteOctetString(new byte[16]));
            WriteEntry(writer, TcbOid, w =>
            {
                using (w.PushSequence())
                {
                    for (var i = 0; i < 16; i++)
                    {
                        var svn = i < components.Length ? components[i] : 0;
                        WriteEntry(w, $"{TcbOid}.{i + 1}", x => x.WriteInteger(svn));
                    }

                    WriteEntry(w, TcbOid + ".17", x => x.WriteInteger(pceSvn));
                    WriteEntry(w, TcbOid + ".18", x => x.WriteOctetString(cpuSvn));
                }
            });
            WriteEntry(writer, PceIdOid, w => w.WriteOctetString(pceId));
            WriteEntry(writer, FmspcOid, w => w.WriteOctetString(fmspc));
            WriteEntry(writer, SgxTypeOid, w => w.WriteEncodedValue([0x0a, 0x01, 0x00])); // SGX type: ENUMERATED 0 (standard)
        }

        return writer.Encode();
    }

    private static void WriteEntry(AsnWriter writer, string oid, Action<AsnWriter> value)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            value(writer);
        }
    }

    private static byte[] ReadFixedOctets(AsnReader reader, int size, string what)
    {
        var bytes = reader.ReadOctetString();
        return bytes.Length == size ? bytes : throw new FormatException($"{what} length mismatch: PCK SGX extension has {bytes.Length} bytes, expected {size}");
    }

    private static int ReadSmallInteger(AsnReader reader, string what) =>
        reader.TryReadInt32(out var value) && value is >= 0 and <= 0xFFFF
            ? value
            : throw new FormatException($"PCK SGX extension {what} is not an integer in 0..65535");
}
