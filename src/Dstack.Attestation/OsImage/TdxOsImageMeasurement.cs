using System.Formats.Cbor;

namespace Dstack.Attestation.OsImage;

/// <summary>
/// The <c>measurement.tdx.cbor</c> document, schema version 3 (spec os-image-verification §1.4). Decoding accepts
/// any key order and ignores unknown keys; <see cref="Encode"/> writes the rows in the spec's order. The 48-byte
/// lengths are not checked here (the verifier checks them in §3.1 step 8).
/// </summary>
public sealed record TdxOsImageMeasurement
{
    /// <summary>The only supported schema version.</summary>
    public const ulong SupportedVersion = 3;

    /// <summary>The only OVMF layout that exists.</summary>
    public const string OvmfPre202505 = "pre202505";

    private const string Prefix = "TdxOsImageMeasurement: ";

    /// <summary><c>version</c>.</summary>
    public ulong Version { get; init; } = SupportedVersion;

    /// <summary><c>image.cmdline_sha384</c>: the RTMR2 command-line event digest.</summary>
    public required byte[] CmdlineSha384 { get; init; }

    /// <summary><c>image.kernel_authenticode</c>: the first RTMR1 event digest.</summary>
    public required byte[] KernelAuthenticode { get; init; }

    /// <summary><c>image.initrd_sha384</c>: the second RTMR2 event digest.</summary>
    public required byte[] InitrdSha384 { get; init; }

    /// <summary><c>tdvf.ovmf</c>: the OVMF layout.</summary>
    public string Ovmf { get; init; } = OvmfPre202505;

    /// <summary><c>tdvf.mrtd.single_pass</c>: MRTD when QEMU adds and extends page by page.</summary>
    public required byte[] MrtdSinglePass { get; init; }

    /// <summary><c>tdvf.mrtd.two_pass</c>: MRTD when QEMU adds all pages of a section, then extends.</summary>
    public required byte[] MrtdTwoPass { get; init; }

    /// <summary><c>tdvf.td_hob</c>: the encoded <see cref="TdHobWitness"/>.</summary>
    public required byte[] TdHob { get; init; }

    /// <summary>Decodes a document and checks its version.</summary>
    /// <exception cref="OsImageException">
    /// <c>TdxOsImageMeasurement: failed to decode CBOR: …</c> or <c>TdxOsImageMeasurement: unsupported version &lt;v&gt;, expected 3</c>.
    /// </exception>
    public static TdxOsImageMeasurement Decode(ReadOnlyMemory<byte> data)
    {
        TdxOsImageMeasurement document;
        try
        {
            var reader = new CborReader(data, CborConformanceMode.Lax);
            document = ReadRoot(reader);
            if (reader.BytesRemaining != 0)
            {
                throw new OsImageException(Prefix + $"failed to decode CBOR: {reader.BytesRemaining} trailing bytes");
            }
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or FormatException)
        {
            throw new OsImageException(Prefix + "failed to decode CBOR: " + ex.Message, ex);
        }

        if (document.Version != SupportedVersion)
        {
            throw new OsImageException(Prefix + $"unsupported version {document.Version}, expected {SupportedVersion}");
        }

        return document;
    }

    /// <summary>Encodes the document with definite-length text-keyed maps in the §1.4 order.</summary>
    public byte[] Encode()
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(3);
        writer.WriteTextString("version");
        writer.WriteUInt64(Version);
        writer.WriteTextString("image");
        writer.WriteStartMap(3);
        writer.WriteTextString("cmdline_sha384");
        writer.WriteByteString(CmdlineSha384);
        writer.WriteTextString("kernel_authenticode");
        writer.WriteByteString(KernelAuthenticode);
        writer.WriteTextString("initrd_sha384");
        writer.WriteByteString(InitrdSha384);
        writer.WriteEndMap();
        writer.WriteTextString("tdvf");
        writer.WriteStartMap(3);
        writer.WriteTextString("ovmf");
        writer.WriteTextString(Ovmf);
        writer.WriteTextString("mrtd");
        writer.WriteStartMap(2);
        writer.WriteTextString("single_pass");
        writer.WriteByteString(MrtdSinglePass);
        writer.WriteTextString("two_pass");
        writer.WriteByteString(MrtdTwoPass);
        writer.WriteEndMap();
        writer.WriteTextString("td_hob");
        writer.WriteByteString(TdHob);
        writer.WriteEndMap();
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static TdxOsImageMeasurement ReadRoot(CborReader reader)
    {
        ulong? version = null;
        Image? image = null;
        Tdvf? tdvf = null;
        ReadMap(reader, "measurement", key =>
        {
            switch (key)
            {
                case "version":
                    version = reader.ReadUInt64();
                    return true;
                case "image":
                    image = ReadImage(reader);
                    return true;
                case "tdvf":
                    tdvf = ReadTdvf(reader);
                    return true;
                default:
                    return false;
            }
        });

        var i = image ?? throw Missing("image");
        var t = tdvf ?? throw Missing("tdvf");
        return new TdxOsImageMeasurement
        {
            Version = version ?? throw Missing("version"),
            CmdlineSha384 = i.Cmdline,
            KernelAuthenticode = i.Kernel,
            InitrdSha384 = i.Initrd,
            Ovmf = t.Ovmf,
            MrtdSinglePass = t.Single,
            MrtdTwoPass = t.Two,
            TdHob = t.TdHob,
        };
    }

    private static Image ReadImage(CborReader reader)
    {
        byte[]? cmdline = null, kernel = null, initrd = null;
        ReadMap(reader, "image", key =>
        {
            switch (key)
            {
                case "cmdline_sha384":
                    cmdline = reader.ReadByteString();
                    return true;
                case "kernel_authenticode":
                    kernel = reader.ReadByteString();
                    return true;
                case "initrd_sha384":
                    initrd = reader.ReadByteString();
                    return true;
                default:
                    return false;
            }
        });
        return new Image(
            cmdline ?? throw Missing("image.cmdline_sha384"),
            kernel ?? throw Missing("image.kernel_authenticode"),
            initrd ?? throw Missing("image.initrd_sha384"));
    }

    private static Tdvf ReadTdvf(CborReader reader)
    {
        string? ovmf = null;
        byte[]? single = null, two = null, hob = null;
        var mrtdSeen = false;
        ReadMap(reader, "tdvf", key =>
        {
            switch (key)
            {
                case "ovmf":
                    ovmf = reader.ReadTextString();
                    return true;
                case "mrtd":
                    mrtdSeen = true;
                    ReadMap(reader, "tdvf.mrtd", inner =>
                    {
                        switch (inner)
                        {
                            case "single_pass":
                                single = reader.ReadByteString();
                                return true;
                            case "two_pass":
                                two = reader.ReadByteString();
                                return true;
                            default:
                                return false;
                        }
                    });
                    return true;
                case "td_hob":
                    hob = reader.ReadByteString();
                    return true;
                default:
                    return false;
            }
        });
        if (!mrtdSeen)
        {
            throw Missing("tdvf.mrtd");
        }

        return new Tdvf(
            ovmf ?? throw Missing("tdvf.ovmf"),
            single ?? throw Missing("tdvf.mrtd.single_pass"),
            two ?? throw Missing("tdvf.mrtd.two_pass"),
            hob ?? throw Missing("tdvf.td_hob"));
    }

    /// <summary>Reads a map with text keys; <paramref name="readValue"/> consumes a known key's value and returns false for unknown keys, which are skipped.</summary>
    private static void ReadMap(CborReader reader, string what, Func<string, bool> readValue)
    {
        if (reader.PeekState() != CborReaderState.StartMap)
        {
            throw new FormatException($"{what}: expected a map, found {reader.PeekState()}");
        }

        reader.ReadStartMap();
        while (reader.PeekState() != CborReaderState.EndMap)
        {
            if (reader.PeekState() != CborReaderState.TextString)
            {
                throw new FormatException($"{what}: map key is {reader.PeekState()}, expected a text string");
            }

            var key = reader.ReadTextString();
            if (!readValue(key))
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndMap();
    }

    private static FormatException Missing(string field) => new($"missing field `{field}`");

    private sealed record Image(byte[] Cmdline, byte[] Kernel, byte[] Initrd);

    private sealed record Tdvf(string Ovmf, byte[] Single, byte[] Two, byte[] TdHob);
}
