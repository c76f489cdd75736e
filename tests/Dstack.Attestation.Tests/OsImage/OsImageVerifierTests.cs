using System.Security.Cryptography;
using System.Text;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.OsImage;

namespace Dstack.Attestation.Tests.OsImage;

/// <summary>Each §3.1 failure path of the lite verifier, on the §5 fixture with one thing changed.</summary>
public class OsImageVerifierTests
{
    private const string Compute = "Failed to compute TDX expected measurements without image download: ";
    private const string Acpi = "TDX lite attestation is missing named RTMR0 ACPI DATA digests: ";

    private static LiteFixture Fixture => LiteFixture.GetQuote;

    private static TdxOsImageMeasurement FixtureDocument => TdxOsImageMeasurement.Decode(Fixture.Config.TdxMeasurement!.Measurement);

    /// <summary>The fixture's config with <paramref name="cbor"/> as its (correctly bound) measurement document.</summary>
    private static OsImageVmConfig Bound(byte[] cbor, OsImageVmConfig? config = null)
    {
        var checksum = Encoding.ASCII.GetBytes($"{Convert.ToHexStringLower(SHA256.HashData(cbor))}  measurement.tdx.cbor\n");
        return (config ?? Fixture.Config) with { OsImageHash = SHA256.HashData(checksum), TdxMeasurement = new OsImageMaterial(checksum, cbor) };
    }

    private static string? Reason(OsImageVmConfig config, IReadOnlyList<TdxEvent>? events = null) =>
        OsImageVerifier.Verify(config, Fixture.Registers, events ?? Fixture.EventLog).Reason;

    [Fact]
    public void Lite_without_tdx_measurement_is_refused_not_downloaded()
    {
        Assert.Equal("tdx lite attestation requires vm_config.tdx_measurement", Reason(Fixture.ConfigWith("tdx_measurement", null)));
    }

    [Fact]
    public void A_legacy_config_is_sent_to_the_bundle_path()
    {
        var verdict = OsImageVerifier.Verify(Fixture.ConfigWith("tdx_attestation_variant", "\"legacy\""), Fixture.Registers, Fixture.EventLog);

        Assert.Equal(OsImageVerifier.NotLiteReason, verdict.Reason);
        Assert.Contains("bundle", verdict.Reason, StringComparison.Ordinal);
        Assert.Null(verdict.Expected);
        Assert.Equal(LiteFixture.OsImageHash, verdict.OsImageHash);
    }

    [Fact]
    public void A_missing_os_image_hash_prints_empty_and_fails_the_binding()
    {
        var verdict = OsImageVerifier.Verify(Fixture.ConfigWith("os_image_hash", null), Fixture.Registers, Fixture.EventLog);

        Assert.Equal(string.Empty, verdict.OsImageHash);
        Assert.Equal(
            $"tdx lite measurement material does not match os_image_hash: os_image_hash mismatch: expected sha256(sha256sum.txt)=, actual={LiteFixture.OsImageHash}",
            verdict.Reason);
    }

    [Fact]
    public void Checksum_file_lookup_errors_are_step_3_reasons()
    {
        var checksum = Encoding.ASCII.GetBytes($"{LiteFixture.CborSha256}  measurement.tdx.cbor\n{LiteFixture.CborSha256}  measurement.tdx.cbor\n");
        var config = Fixture.Config with { OsImageHash = SHA256.HashData(checksum), TdxMeasurement = new OsImageMaterial(checksum, Fixture.Config.TdxMeasurement!.Measurement) };

        Assert.Equal("tdx lite measurement material does not match os_image_hash: sha256sum.txt contains duplicate measurement.tdx.cbor entries", Reason(config));
    }

    [Fact]
    public void A_wrong_cbor_version_is_a_step_4_reason()
    {
        var cbor = (FixtureDocument with { Version = 2 }).Encode();

        Assert.Equal("failed to decode vm_config.tdx_measurement CBOR: TdxOsImageMeasurement: unsupported version 2, expected 3", Reason(Bound(cbor)));
    }

    [Fact]
    public void Malformed_cbor_is_a_step_4_reason()
    {
        Assert.StartsWith("failed to decode vm_config.tdx_measurement CBOR: TdxOsImageMeasurement: failed to decode CBOR: ", Reason(Bound([0xa1])), StringComparison.Ordinal);
    }

    [Fact]
    public void An_ovmf_variant_other_than_the_document_is_a_step_5_reason()
    {
        Assert.Equal(
            "tdx measurement ovmf_variant mismatch: vm_config=post202505, document=pre202505",
            Reason(Fixture.ConfigWith("ovmf_variant", "\"post202505\"")));
        Assert.Null(Reason(Fixture.ConfigWith("ovmf_variant", null)));
    }

    [Fact]
    public void Acpi_candidate_count_is_checked()
    {
        var withoutOne = Fixture.EventLog.Where(e => e.Event != "acpi-rsdp").ToList();
        var payloadChanged = Fixture.EventLog.Select(e => e.Event == "acpi-rsdp" ? e with { EventPayload = "ACPI DATA\0"u8.ToArray() } : e).ToList();
        var otherRegister = Fixture.EventLog.Select(e => e.Event == "acpi-rsdp" ? e with { Imr = 1 } : e).ToList();
        var otherType = Fixture.EventLog.Select(e => e.Event == "acpi-rsdp" ? e with { EventType = 11 } : e).ToList();
        var extra = Fixture.EventLog.Append(Fixture.EventLog.First(e => e.Event == "acpi-rsdp")).ToList();

        Assert.Equal(Acpi + "TDX lite attestation requires exactly 3 RTMR0 ACPI DATA events; found 2 candidates and 12 RTMR0 events", Reason(Fixture.Config, withoutOne));
        Assert.Equal(Acpi + "TDX lite attestation requires exactly 3 RTMR0 ACPI DATA events; found 2 candidates and 13 RTMR0 events", Reason(Fixture.Config, payloadChanged));
        Assert.Equal(Acpi + "TDX lite attestation requires exactly 3 RTMR0 ACPI DATA events; found 2 candidates and 12 RTMR0 events", Reason(Fixture.Config, otherRegister));
        Assert.Equal(Acpi + "TDX lite attestation requires exactly 3 RTMR0 ACPI DATA events; found 2 candidates and 13 RTMR0 events", Reason(Fixture.Config, otherType));
        Assert.Equal(Acpi + "TDX lite attestation requires exactly 3 RTMR0 ACPI DATA events; found 4 candidates and 14 RTMR0 events", Reason(Fixture.Config, extra));
    }

    [Fact]
    public void Acpi_names_must_be_unique_and_digests_48_bytes()
    {
        var duplicate = Fixture.EventLog.Select(e => e.Event == "acpi-rsdp" ? e with { Event = "acpi-loader" } : e).ToList();
        var shortDigest = Fixture.EventLog.Select(e => e.Event == "acpi-tables" ? e with { Digest = new byte[32] } : e).ToList();

        Assert.Equal(Acpi + "TDX lite attestation requires exactly one RTMR0 ACPI DATA event named acpi-loader; found 2", Reason(Fixture.Config, duplicate));
        Assert.Equal(Acpi + "TDX RTMR0 ACPI DATA event acpi-tables has invalid digest length 32, expected 48", Reason(Fixture.Config, shortDigest));
    }

    [Fact]
    public void Acpi_selection_is_by_name_not_position()
    {
        // swap the loader and rsdp events: the names still pick the same digests, so the check passes
        var events = Fixture.EventLog.ToList();
        var loader = events.FindIndex(e => e.Event == "acpi-loader");
        var rsdp = events.FindIndex(e => e.Event == "acpi-rsdp");
        (events[loader], events[rsdp]) = (events[rsdp], events[loader]);

        Assert.Null(Reason(Fixture.Config, events));
    }

    [Theory]
    [InlineData(2147483647UL)]
    [InlineData(2147483649UL)]
    [InlineData(2952790015UL)]
    [InlineData(0UL)]
    public void Memory_gate_refuses_sizes_other_than_2_gib_below_2816_mib(ulong memorySize)
    {
        var reason = Reason(Fixture.Config with { MemorySize = memorySize });

        Assert.Equal(
            Compute + $"TDX lite attestation without image download requires memory_size == 2147483648 bytes (2048 MiB) or >= 2952790016 bytes (2816 MiB); got {memorySize} bytes",
            reason);
    }

    [Fact]
    public void The_memory_gate_comes_after_the_acpi_check()
    {
        var events = Fixture.EventLog.Where(e => e.Event != "acpi-rsdp").ToList();

        Assert.StartsWith(Acpi, Reason(Fixture.Config with { MemorySize = 1 }, events), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8.2", "Failed to parse QEMU version: Version string must have exactly 3 parts (major.minor.patch), got 2")]
    [InlineData("8.2.2.1", "Failed to parse QEMU version: Version string must have exactly 3 parts (major.minor.patch), got 4")]
    [InlineData("8.x.2", "Failed to parse QEMU version: Invalid version number")]
    [InlineData("8..2", "Failed to parse QEMU version: Invalid version number")]
    [InlineData("8.2.-1", "Failed to parse QEMU version: Invalid version number")]
    [InlineData("8.2.4294967296", "Failed to parse QEMU version: Invalid version number")]
    [InlineData("7.2.0", "Unsupported QEMU version: (7, 2, 0)")]
    public void Qemu_version_errors_are_wrapped(string version, string inner)
    {
        Assert.Equal(Compute + "failed to resolve QEMU measurement options: " + inner, Reason(Fixture.Config with { QemuVersion = version }));
    }

    [Fact]
    public void An_unsupported_version_is_refused_even_with_the_override()
    {
        Assert.Equal(
            Compute + "failed to resolve QEMU measurement options: Unsupported QEMU version: (7, 0, 0)",
            Reason(Fixture.Config with { QemuVersion = "7.0.0", QemuSinglePassAddPages = true }));
    }

    [Fact]
    public void Single_pass_override_true_selects_two_pass()
    {
        // quirk: the value is passed straight into the two-pass flag
        var withQemu9 = Fixture.ConfigWith("qemu_version", "\"9.1.0\"");
        var quirk = Fixture.ConfigWith("qemu_single_pass_add_pages", "true") with { QemuVersion = "9.1.0" };
        var falseOn8 = Fixture.ConfigWith("qemu_single_pass_add_pages", "false");

        Assert.StartsWith("MRs do not match: MRTD mismatch", Reason(withQemu9), StringComparison.Ordinal);
        Assert.True(quirk.QemuSinglePassAddPages);
        Assert.Null(Reason(quirk));
        Assert.Equal($"MRs do not match: MRTD mismatch: expected={LiteFixture.SinglePass}, actual={LiteFixture.MrTd}", Reason(falseOn8));
    }

    [Fact]
    public void A_short_selected_mrtd_is_reported_but_the_other_is_not_checked()
    {
        var shortTwoPass = Bound((FixtureDocument with { MrtdTwoPass = new byte[47] }).Encode());
        var shortSinglePass = Bound((FixtureDocument with { MrtdSinglePass = new byte[47] }).Encode());

        Assert.Equal(Compute + "tdx.measurement.tdvf.mrtd has invalid length 47, expected 48", Reason(shortTwoPass));
        Assert.Null(Reason(shortSinglePass));
    }

    [Fact]
    public void A_bad_witness_is_a_td_hob_reason()
    {
        var trailing = Bound((FixtureDocument with { TdHob = [.. TdHobWitness.DstackTdvf, 0] }).Encode());
        var truncated = Bound((FixtureDocument with { TdHob = [0x80] }).Encode());

        Assert.Equal(Compute + "failed to measure TD HOB from witness: TD HOB witness has trailing bytes", Reason(trailing));
        Assert.Equal(Compute + "failed to measure TD HOB from witness: truncated TD HOB witness varuint", Reason(truncated));
    }

    [Fact]
    public void Image_digest_lengths_are_checked_in_order()
    {
        var all = Bound((FixtureDocument with { KernelAuthenticode = new byte[1], InitrdSha384 = new byte[2], CmdlineSha384 = new byte[3] }).Encode());
        var initrdAndCmdline = Bound((FixtureDocument with { InitrdSha384 = new byte[49], CmdlineSha384 = new byte[3] }).Encode());
        var cmdline = Bound((FixtureDocument with { CmdlineSha384 = [] }).Encode());
        var mrtdFirst = Bound((FixtureDocument with { MrtdTwoPass = new byte[1], KernelAuthenticode = new byte[1] }).Encode());

        Assert.Equal(Compute + "tdx.measurement.image.kernel_authenticode has invalid length 1, expected 48", Reason(all));
        Assert.Equal(Compute + "tdx.measurement.image.initrd_sha384 has invalid length 49, expected 48", Reason(initrdAndCmdline));
        Assert.Equal(Compute + "tdx.measurement.image.kernel_cmdline_sha384 has invalid length 0, expected 48", Reason(cmdline));
        Assert.Equal(Compute + "tdx.measurement.tdvf.mrtd has invalid length 1, expected 48", Reason(mrtdFirst));
    }

    [Fact]
    public void A_rebound_document_with_another_kernel_fails_at_rtmr1()
    {
        var kernel = SHA384.HashData("another kernel"u8);
        var verdict = OsImageVerifier.Verify(Bound((FixtureDocument with { KernelAuthenticode = kernel }).Encode()), Fixture.Registers, Fixture.EventLog);

        Assert.StartsWith($"MRs do not match: RTMR1 mismatch: expected={Hex.Of(verdict.Expected!.Rtmr1)}, actual={LiteFixture.Rtmr1}", verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(LiteFixture.Rtmr0, Hex.Of(verdict.Expected.Rtmr0));
    }

    [Fact]
    public void Registers_of_a_quote_measurement_are_taken_as_is()
    {
        var measurements = new TdMeasurements { MrTd = [1], Rtmr0 = [2], Rtmr1 = [3], Rtmr2 = [4] };

        var registers = OsImageRegisters.Of(measurements);

        Assert.Equal(new byte[][] { [1], [2], [3], [4] }, new[] { registers.MrTd, registers.Rtmr0, registers.Rtmr1, registers.Rtmr2 });
    }
}
