using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.OsImage;

/// <summary>
/// A deterministic simulated OS-image bundle (spec os-image-verification §7): for image name N every digest is
/// <c>SHA-384("dstack-sim:" ‖ field ‖ ":" ‖ N)</c>, so an unmodified lite verifier accepts a TD booted from it and
/// refuses any other.
/// </summary>
public sealed class SimulatedOsImage
{
    /// <summary>The default simulated image name.</summary>
    public const string DefaultName = "dstack-sim-0.6.0";

    private static readonly Lazy<SimulatedOsImage> DefaultImage = new(() => Create(DefaultName));

    private SimulatedOsImage(string name, TdxOsImageMeasurement document)
    {
        Name = name;
        Document = document;
        Measurement = document.Encode();
        ChecksumFile = Encoding.ASCII.GetBytes($"{Convert.ToHexStringLower(SHA256.HashData(Measurement))}  {OsImageMaterial.MeasurementFileName}\n");
        OsImageHash = SHA256.HashData(ChecksumFile);
    }

    /// <summary>The fixed ACPI digests of a simulated boot (those of <c>fixtures/eventlog-ccel.bin</c>, §7.2).</summary>
    public static AcpiDigests Acpi { get; } = new(
        Convert.FromHexString("68cd79315e70aecd4afe7c1b23a5ed7b3b8e51a477e1739f111b3156def86bbc56ebf239dcd4591bc7a9fff90023f481"),
        Convert.FromHexString("6bc203b3843388cc4918459c3f5c6d1300a796fb594781b7ecfaa3ae7456975f095bfcc1156c9f2d25e8b8bc1b520f66"),
        Convert.FromHexString("444cf35d277a7b6049faf4ff23165e256e716eaad4650aeef6afae8e2dca3359b40c1b2eb997c5568f956616310c9147"));

    /// <summary>The bundle of <see cref="DefaultName"/>.</summary>
    public static SimulatedOsImage Default => DefaultImage.Value;

    /// <summary>The image name N.</summary>
    public string Name { get; }

    /// <summary>The decoded <c>measurement.tdx.cbor</c>.</summary>
    public TdxOsImageMeasurement Document { get; }

    /// <summary>The <c>measurement.tdx.cbor</c> bytes.</summary>
    public byte[] Measurement { get; }

    /// <summary>The <c>sha256sum.txt</c> bytes (one line for the CBOR).</summary>
    public byte[] ChecksumFile { get; }

    /// <summary><c>os_image_hash = SHA-256(sha256sum.txt)</c>.</summary>
    public byte[] OsImageHash { get; }

    /// <summary><see cref="OsImageHash"/> as lowercase hex.</summary>
    public string OsImageHashHex => Convert.ToHexStringLower(OsImageHash);

    /// <summary>The bundle's lite material.</summary>
    public OsImageMaterial Material => new(ChecksumFile, Measurement);

    /// <summary>The bundle of image <paramref name="name"/>.</summary>
    public static SimulatedOsImage Create(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new SimulatedOsImage(name, new TdxOsImageMeasurement
        {
            CmdlineSha384 = Digest("cmdline", name),
            KernelAuthenticode = Digest("kernel", name),
            InitrdSha384 = Digest("initrd", name),
            Ovmf = TdxOsImageMeasurement.OvmfPre202505,
            MrtdSinglePass = Digest("mrtd-single", name),
            MrtdTwoPass = Digest("mrtd-two", name),
            TdHob = TdHobWitness.DstackTdvf.ToArray(),
        });
    }

    /// <summary><c>D(f) = SHA-384("dstack-sim:" ‖ f ‖ ":" ‖ N)</c>.</summary>
    public static byte[] Digest(string field, string name)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(name);
        return SHA384.HashData(Encoding.UTF8.GetBytes($"dstack-sim:{field}:{name}"));
    }

    /// <summary>
    /// The <c>vm_config</c> JSON of a VM booted from this image: <c>os_image_hash</c>, <c>cpu_count</c> 2,
    /// <c>memory_size</c>, <c>qemu_version</c> (omitted when null), <c>tdx_attestation_variant</c> "lite" and
    /// <c>tdx_measurement</c> (standard base64).
    /// </summary>
    public string VmConfig(ulong memorySize, string? qemuVersion)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("os_image_hash", OsImageHashHex);
            writer.WriteNumber("cpu_count", 2);
            writer.WriteNumber("memory_size", memorySize);
            if (qemuVersion is not null)
            {
                writer.WriteString("qemu_version", qemuVersion);
            }

            writer.WriteString("tdx_attestation_variant", OsImageVmConfig.LiteVariant);
            writer.WriteStartObject("tdx_measurement");
            writer.WriteString("checksum_file", Convert.ToBase64String(ChecksumFile));
            writer.WriteString("measurement", Convert.ToBase64String(Measurement));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// The boot state of a TD booted from this image with <paramref name="memorySize"/> and QEMU
    /// <paramref name="qemuVersion"/> (null = 9.1.0): the lite computation over (bundle, vm_config, <see cref="Acpi"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The memory size fails the lite gate or the QEMU version is unusable.</exception>
    public SimulatedBoot Boot(ulong memorySize, string? qemuVersion)
    {
        LiteBootMeasurement measurement;
        try
        {
            measurement = LiteBootMeasurement.Compute(Document, memorySize, qemuVersion, singlePassAddPages: null, Acpi);
        }
        catch (OsImageException ex)
        {
            throw new ArgumentException(ex.Message, nameof(memorySize), ex);
        }

        var r0 = measurement.Rtmr0Events;
        var r1 = measurement.Rtmr1Events;
        var r2 = measurement.Rtmr2Events;
        TdxEvent[] events =
        [
            Event(0, 0x8000000B, r0[0], "TdxTable"u8), // EV_EFI_HANDOFF_TABLES2: the TD HOB
            Event(0, 0x8000000A, r0[1], "dstack-sim CFV"u8), // EV_EFI_PLATFORM_FIRMWARE_BLOB2: the CFV
            Event(0, 0x80000001, r0[2], "SecureBoot"u8), // EV_EFI_VARIABLE_DRIVER_CONFIG
            Event(0, 0x80000001, r0[3], "PK"u8),
            Event(0, 0x80000001, r0[4], "KEK"u8),
            Event(0, 0x80000001, r0[5], "db"u8),
            Event(0, 0x80000001, r0[6], "dbx"u8),
            Event(0, 4, r0[7], [0, 0, 0, 0]), // EV_SEPARATOR
            Event(0, TdxEventTypes.PlatformConfigFlags, r0[8], CcelParser.AcpiDataPayload),
            Event(0, TdxEventTypes.PlatformConfigFlags, r0[9], CcelParser.AcpiDataPayload),
            Event(0, TdxEventTypes.PlatformConfigFlags, r0[10], CcelParser.AcpiDataPayload),
            Event(1, 0x80000003, r1[0], "dstack-sim kernel"u8), // EV_EFI_BOOT_SERVICES_APPLICATION
            Event(0, 0x80000002, r0[11], "BootOrder"u8), // EV_EFI_VARIABLE_BOOT
            Event(0, 0x80000002, r0[12], "Boot0000"u8),
            Event(1, 0x80000007, r1[1], "Calling EFI Application from Boot Option"u8), // EV_EFI_ACTION
            Event(1, 4, r1[2], [0, 0, 0, 0]),
            Event(2, 6, r2[0], "LOADED_IMAGE::LoadOptions"u8), // EV_EVENT_TAG: the kernel command line
            Event(2, 6, r2[1], "Linux initrd"u8), // EV_EVENT_TAG
            Event(1, 0x80000007, r1[3], "Exit Boot Services Invocation"u8),
            Event(1, 0x80000007, r1[4], "Exit Boot Services Returned with Success"u8),
        ];
        return new SimulatedBoot
        {
            Registers = measurement.Registers,
            Events = CcelParser.LabelAcpiEvents(events),
            Ccel = CcelWriter.Write(events),
            VmConfig = VmConfig(memorySize, qemuVersion),
        };
    }

    private static TdxEvent Event(uint imr, uint eventType, byte[] digest, ReadOnlySpan<byte> payload) => new()
    {
        Imr = imr,
        EventType = eventType,
        Digest = digest,
        Event = string.Empty,
        EventPayload = payload.ToArray(),
    };
}
