using System.Security.Cryptography;

namespace Dstack.Attestation.OsImage;

/// <summary>
/// The MRTD and the RTMR0–2 boot event digests a TD must show when it booted an image described by a
/// <see cref="TdxOsImageMeasurement"/> with a given <c>memory_size</c> and QEMU (spec os-image-verification §3.3–§3.6),
/// without downloading the image: the ACPI digests come from the event log.
/// </summary>
public sealed class LiteBootMeasurement
{
    /// <summary>The one memory size below 0xB0000000 at which the document's kernel digest is valid.</summary>
    public const ulong TwoGiB = 2147483648;

    /// <summary>Prefix of every step 7/8 failure reason.</summary>
    internal const string ComputeContext = "Failed to compute TDX expected measurements without image download";

    private LiteBootMeasurement(byte[] mrTd, TdHob tdHob, IReadOnlyList<byte[]> rtmr0, IReadOnlyList<byte[]> rtmr1, IReadOnlyList<byte[]> rtmr2)
    {
        MrTd = mrTd;
        TdHob = tdHob;
        Rtmr0Events = rtmr0;
        Rtmr1Events = rtmr1;
        Rtmr2Events = rtmr2;
        Registers = new OsImageRegisters(mrTd, Replay(rtmr0), Replay(rtmr1), Replay(rtmr2));
    }

    /// <summary>The expected MRTD (the document's two-pass or single-pass value).</summary>
    public byte[] MrTd { get; }

    /// <summary>The reconstructed TD HOB (RTMR0 event 0).</summary>
    public TdHob TdHob { get; }

    /// <summary>The 13 RTMR0 event digests in order.</summary>
    public IReadOnlyList<byte[]> Rtmr0Events { get; }

    /// <summary>The 5 RTMR1 event digests in order.</summary>
    public IReadOnlyList<byte[]> Rtmr1Events { get; }

    /// <summary>The 2 RTMR2 event digests in order.</summary>
    public IReadOnlyList<byte[]> Rtmr2Events { get; }

    /// <summary>MRTD and the replay of the three event lists.</summary>
    public OsImageRegisters Registers { get; }

    /// <summary>
    /// The §3.1 step 7 gate: <c>memory_size</c> must be exactly 2 GiB or at least 0xB0000000.
    /// </summary>
    /// <exception cref="OsImageException">The size is outside the gate (message wrapped in the step 7/8 context).</exception>
    public static void CheckMemorySize(ulong memorySize)
    {
        if (memorySize != TwoGiB && memorySize < TdHob.HighMemoryThreshold)
        {
            throw new OsImageException(
                $"{ComputeContext}: TDX lite attestation without image download requires memory_size == 2147483648 bytes (2048 MiB) or >= 2952790016 bytes (2816 MiB); got {memorySize} bytes");
        }
    }

    /// <summary>
    /// Runs §3.1 steps 7 and 8: the memory gate, the MRTD order, the TD HOB, RTMR0, then the 48-byte checks of the
    /// image digests, and builds the expected digests.
    /// </summary>
    /// <exception cref="OsImageException">A step fails; the message is wrapped in <c>Failed to compute TDX expected measurements without image download: </c>.</exception>
    public static LiteBootMeasurement Compute(
        TdxOsImageMeasurement document, ulong memorySize, string? qemuVersion, bool? singlePassAddPages, AcpiDigests acpi)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(acpi);
        CheckMemorySize(memorySize);
        bool twoPass;
        try
        {
            twoPass = QemuPageAddOrder.IsTwoPass(qemuVersion, singlePassAddPages);
        }
        catch (OsImageException ex)
        {
            throw ex.Wrap("failed to resolve QEMU measurement options").Wrap(ComputeContext);
        }

        var mrTd = twoPass ? document.MrtdTwoPass : document.MrtdSinglePass;
        CheckLength(mrTd, "tdvf.mrtd");

        TdHob hob;
        try
        {
            hob = TdHob.Build(TdHobWitness.Decode(document.TdHob), memorySize);
        }
        catch (OsImageException ex)
        {
            throw ex.Wrap("failed to measure TD HOB from witness").Wrap(ComputeContext);
        }

        List<byte[]> rtmr0 = [hob.Digest, Rtmr0Layout.CfvImage, .. Rtmr0Layout.SecureBootVariables, Rtmr0Layout.Separator,
            acpi.Loader, acpi.Rsdp, acpi.Tables, Rtmr0Layout.BootOrder, Rtmr0Layout.Boot0000];
        CheckLength(document.KernelAuthenticode, "image.kernel_authenticode");
        CheckLength(document.InitrdSha384, "image.initrd_sha384");
        CheckLength(document.CmdlineSha384, "image.kernel_cmdline_sha384");
        List<byte[]> rtmr1 = [document.KernelAuthenticode, Rtmr0Layout.CallingEfiApplication, Rtmr0Layout.Separator,
            Rtmr0Layout.ExitBootServicesInvocation, Rtmr0Layout.ExitBootServicesReturned];
        List<byte[]> rtmr2 = [document.CmdlineSha384, document.InitrdSha384];
        return new LiteBootMeasurement(mrTd, hob, rtmr0, rtmr1, rtmr2);
    }

    /// <summary>Folds <c>R ← SHA-384(R ‖ d)</c> from 48 zero bytes.</summary>
    internal static byte[] Replay(IEnumerable<byte[]> digests)
    {
        var register = new byte[48];
        foreach (var d in digests)
        {
            register = SHA384.HashData([.. register, .. d]);
        }

        return register;
    }

    private static void CheckLength(byte[] value, string field)
    {
        if (value.Length != 48)
        {
            throw new OsImageException($"{ComputeContext}: tdx.measurement.{field} has invalid length {value.Length}, expected 48");
        }
    }
}
