using System.Security.Cryptography;
using System.Text.Json;
using Dstack.Attestation.OsImage;

namespace Dstack.Attestation.Tests.OsImage;

/// <summary>The §5 worked example and the §6 negative vectors over the real lite captures.</summary>
public class LiteFixtureTests
{
    public static TheoryData<string> Fixtures => ["getquote", "attestation"];

    private static LiteFixture Load(string which) => which == "getquote" ? LiteFixture.GetQuote : LiteFixture.Attestation;

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_is_accepted_with_the_documented_registers(string which)
    {
        var fixture = Load(which);

        var verdict = OsImageVerifier.Verify(fixture.Config, fixture.Registers, fixture.EventLog);

        Assert.Null(verdict.Reason);
        Assert.True(verdict.Verified);
        Assert.Equal("lite", verdict.Mode);
        Assert.Equal(LiteFixture.OsImageHash, verdict.OsImageHash);
        Assert.NotNull(verdict.Expected);
        Assert.Equal(LiteFixture.MrTd, Hex.Of(verdict.Expected.MrTd));
        Assert.Equal(LiteFixture.Rtmr0, Hex.Of(verdict.Expected.Rtmr0));
        Assert.Equal(LiteFixture.Rtmr1, Hex.Of(verdict.Expected.Rtmr1));
        Assert.Equal(LiteFixture.Rtmr2, Hex.Of(verdict.Expected.Rtmr2));
        Assert.Equal(LiteFixture.MrTd, Hex.Of(verdict.Actual.MrTd));
        Assert.Equal(LiteFixture.Rtmr0, Hex.Of(verdict.Actual.Rtmr0));
        Assert.Equal(LiteFixture.Rtmr1, Hex.Of(verdict.Actual.Rtmr1));
        Assert.Equal(LiteFixture.Rtmr2, Hex.Of(verdict.Actual.Rtmr2));
    }

    [Fact]
    public void Both_fixtures_carry_the_same_vm_config_and_registers()
    {
        Assert.Equal(LiteFixture.GetQuote.VmConfigJson, LiteFixture.Attestation.VmConfigJson);
        Assert.Equal(LiteFixture.GetQuote.Registers.MrTd, LiteFixture.Attestation.Registers.MrTd);
        Assert.Equal(29, LiteFixture.GetQuote.EventLog.Count);
        Assert.Equal(12, LiteFixture.Attestation.EventLog.Count);
    }

    [Fact]
    public void Vm_config_fields_are_read_and_unknown_keys_ignored()
    {
        var config = LiteFixture.GetQuote.Config;

        Assert.Equal(LiteFixture.OsImageHash, Hex.Of(config.OsImageHash));
        Assert.True(config.IsLite);
        Assert.Equal(2147483648UL, config.MemorySize);
        Assert.Equal("8.2.2", config.QemuVersion);
        Assert.Null(config.QemuSinglePassAddPages);
        Assert.Equal("pre202505", config.OvmfVariant);
        Assert.NotNull(config.TdxMeasurement);
        Assert.Equal(87, config.TdxMeasurement.ChecksumFile.Length);
        Assert.Equal(LiteFixture.CborSha256 + "  measurement.tdx.cbor\n", System.Text.Encoding.ASCII.GetString(config.TdxMeasurement.ChecksumFile));
        Assert.Equal(LiteFixture.OsImageHash, Hex.Of(SHA256.HashData(config.TdxMeasurement.ChecksumFile)));
        Assert.Equal(384, config.TdxMeasurement.Measurement.Length);
        Assert.Equal(LiteFixture.CborSha256, Hex.Of(SHA256.HashData(config.TdxMeasurement.Measurement)));
        Assert.Equal("a36776657273696f6e0365696d616765a36e", Hex.Of(config.TdxMeasurement.Measurement)[..36]);
    }

    [Fact]
    public void Acpi_digests_are_the_named_log_events()
    {
        var acpi = AcpiDigests.FromEventLog(LiteFixture.GetQuote.EventLog);

        Assert.Equal("095d04cf26fe03aef6e3561fa24c1aa1cea93f4aeaf563b1f9f7616184c53454875925759434769cec2490acb563a337", Hex.Of(acpi.Loader));
        Assert.Equal("8d9a4d4777a1bc77ecd9d8d37a4628129a80052a510320159a20a923bd07a0e90d8d1f2e1ebf088992b25f0d0fa672ef", Hex.Of(acpi.Rsdp));
        Assert.Equal("3070721e169bc41884724cb0e6b3082e1baf249083d8b389181ba50b9afa951057876c380b8870e8c2facf2eff67a2b6", Hex.Of(acpi.Tables));
        Assert.Equal(13, LiteFixture.GetQuote.EventLog.Count(e => e.Imr == 0));
    }

    [Fact]
    public void Every_computed_boot_digest_equals_the_logged_one()
    {
        var fixture = LiteFixture.GetQuote;
        var config = fixture.Config;
        var document = TdxOsImageMeasurement.Decode(config.TdxMeasurement!.Measurement);
        var expected = LiteBootMeasurement.Compute(document, config.MemorySize, config.QemuVersion, config.QemuSinglePassAddPages, AcpiDigests.FromEventLog(fixture.EventLog));

        for (uint imr = 0; imr < 3; imr++)
        {
            var logged = fixture.EventLog.Where(e => e.Imr == imr).Select(e => Hex.Of(e.Digest)).ToList();
            var computed = (imr switch { 0 => expected.Rtmr0Events, 1 => expected.Rtmr1Events, _ => expected.Rtmr2Events }).Select(Hex.Of).ToList();
            Assert.Equal(logged, computed);
        }

        Assert.Equal([13, 5, 2], new[] { expected.Rtmr0Events.Count, expected.Rtmr1Events.Count, expected.Rtmr2Events.Count });
        Assert.Equal(LiteFixture.TdHob2GiB, Hex.Of(expected.Rtmr0Events[0]));
        Assert.Equal(LiteFixture.MrTd, Hex.Of(expected.MrTd));
    }

    [Fact]
    public void Json_verdict_has_the_documented_keys()
    {
        var fixture = LiteFixture.GetQuote;
        var json = OsImageVerifier.Verify(fixture.Config, fixture.Registers, fixture.EventLog).ToJson();

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(["os_image_hash", "verified", "reason", "mode", "expected", "actual"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(LiteFixture.OsImageHash, root.GetProperty("os_image_hash").GetString());
        Assert.True(root.GetProperty("verified").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("reason").ValueKind);
        Assert.Equal("lite", root.GetProperty("mode").GetString());
        Assert.Equal(LiteFixture.Rtmr0, root.GetProperty("expected").GetProperty("rtmr0").GetString());
        Assert.Equal(LiteFixture.MrTd, root.GetProperty("actual").GetProperty("mrtd").GetString());
        Assert.Equal(["mrtd", "rtmr0", "rtmr1", "rtmr2"], root.GetProperty("actual").EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("\"9.1.0\"")]
    [InlineData(null)]
    public void Qemu_9_selects_single_pass_and_the_mrtd_differs(string? qemuVersion)
    {
        var fixture = LiteFixture.GetQuote;

        var verdict = OsImageVerifier.Verify(fixture.ConfigWith("qemu_version", qemuVersion), fixture.Registers, fixture.EventLog);

        Assert.False(verdict.Verified);
        Assert.Equal($"MRs do not match: MRTD mismatch: expected={LiteFixture.SinglePass}, actual={LiteFixture.MrTd}", verdict.Reason);
        Assert.Equal(LiteFixture.SinglePass, Hex.Of(verdict.Expected!.MrTd));
    }

    [Fact]
    public void Four_gib_changes_the_td_hob_and_rtmr0()
    {
        var fixture = LiteFixture.GetQuote;

        var verdict = OsImageVerifier.Verify(fixture.ConfigWith("memory_size", "4294967296"), fixture.Registers, fixture.EventLog);

        const string Rtmr0At4GiB = "027b610ab0555482f8a3868524093bdf3cdbe2539f81dfeeb886864654cb2fe3422f7fc36d4bab6fa46683aad11d1ba7";
        Assert.Equal($"MRs do not match: RTMR0 mismatch: expected={Rtmr0At4GiB}, actual={LiteFixture.Rtmr0}", verdict.Reason);
    }

    [Theory]
    [InlineData(0xB0000000UL, "2f3cb92a…b817fa45")]
    [InlineData(0xC0000000UL, "c15ed6c7…394fd813")]
    public void High_memory_sizes_give_the_documented_rtmr0(ulong memorySize, string rtmr0)
    {
        var fixture = LiteFixture.GetQuote;

        var verdict = OsImageVerifier.Verify(fixture.ConfigWith("memory_size", memorySize.ToString(System.Globalization.CultureInfo.InvariantCulture)), fixture.Registers, fixture.EventLog);

        Assert.StartsWith("MRs do not match: RTMR0 mismatch: expected=", verdict.Reason, StringComparison.Ordinal);
        Hex.AssertAbbreviated(rtmr0, verdict.Expected!.Rtmr0);
        Assert.Equal(LiteFixture.Rtmr1, Hex.Of(verdict.Expected.Rtmr1));
    }

    [Fact]
    public void Memory_between_2_gib_and_2816_mib_fails_the_gate()
    {
        var fixture = LiteFixture.GetQuote;

        var verdict = OsImageVerifier.Verify(fixture.ConfigWith("memory_size", "2415919104"), fixture.Registers, fixture.EventLog);

        Assert.Equal(
            "Failed to compute TDX expected measurements without image download: TDX lite attestation without image download requires memory_size == 2147483648 bytes (2048 MiB) or >= 2952790016 bytes (2816 MiB); got 2415919104 bytes",
            verdict.Reason);
        Assert.Null(verdict.Expected);
    }

    [Fact]
    public void One_changed_checksum_file_byte_fails_the_os_image_hash_binding()
    {
        var fixture = LiteFixture.GetQuote;
        var material = fixture.Config.TdxMeasurement!;
        var checksum = (byte[])material.ChecksumFile.Clone();
        checksum[0] ^= 1; // '8' -> '9'
        var config = fixture.ConfigWith("tdx_measurement", Measurement(checksum, material.Measurement));

        var verdict = OsImageVerifier.Verify(config, fixture.Registers, fixture.EventLog);

        Assert.Equal(
            $"tdx lite measurement material does not match os_image_hash: os_image_hash mismatch: expected sha256(sha256sum.txt)={LiteFixture.OsImageHash}, actual={Hex.Of(SHA256.HashData(checksum))}",
            verdict.Reason);
    }

    [Fact]
    public void One_changed_measurement_byte_fails_the_cbor_entry_binding()
    {
        var fixture = LiteFixture.GetQuote;
        var material = fixture.Config.TdxMeasurement!;
        var cbor = (byte[])material.Measurement.Clone();
        cbor[^1] ^= 1;
        var config = fixture.ConfigWith("tdx_measurement", Measurement(material.ChecksumFile, cbor));

        var verdict = OsImageVerifier.Verify(config, fixture.Registers, fixture.EventLog);

        Assert.Equal(
            $"tdx lite measurement material does not match os_image_hash: measurement.tdx.cbor hash mismatch: sha256sum.txt={LiteFixture.CborSha256}, actual={Hex.Of(SHA256.HashData(cbor))}",
            verdict.Reason);
    }

    [Theory]
    [InlineData("acpi-loader")]
    [InlineData("acpi-rsdp")]
    [InlineData("acpi-tables")]
    public void A_renamed_acpi_event_is_found_zero_times(string name)
    {
        var fixture = LiteFixture.GetQuote;
        var events = fixture.EventLog.Select(e => e.Event == name ? e with { Event = "acpi-other" } : e).ToList();

        var verdict = OsImageVerifier.Verify(fixture.Config, fixture.Registers, events);

        Assert.Equal(
            $"TDX lite attestation is missing named RTMR0 ACPI DATA digests: TDX lite attestation requires exactly one RTMR0 ACPI DATA event named {name}; found 0",
            verdict.Reason);
    }

    [Fact]
    public void An_altered_register_is_refused_with_the_first_difference()
    {
        var fixture = LiteFixture.GetQuote;
        var rtmr2 = (byte[])fixture.Registers.Rtmr2.Clone();
        rtmr2[47] ^= 0xff;
        var rtmr1 = (byte[])fixture.Registers.Rtmr1.Clone();
        rtmr1[0] ^= 0xff;

        var only2 = OsImageVerifier.Verify(fixture.Config, fixture.Registers with { Rtmr2 = rtmr2 }, fixture.EventLog);
        var both = OsImageVerifier.Verify(fixture.Config, fixture.Registers with { Rtmr1 = rtmr1, Rtmr2 = rtmr2 }, fixture.EventLog);

        Assert.Equal($"MRs do not match: RTMR2 mismatch: expected={LiteFixture.Rtmr2}, actual={Hex.Of(rtmr2)}", only2.Reason);
        Assert.Equal($"MRs do not match: RTMR1 mismatch: expected={LiteFixture.Rtmr1}, actual={Hex.Of(rtmr1)}", both.Reason);
    }

    [Fact]
    public void Bundle_mode_runs_the_same_computation_on_a_legacy_config()
    {
        var fixture = LiteFixture.GetQuote;
        var legacy = fixture.ConfigWith("tdx_attestation_variant", null);
        var material = fixture.Config.TdxMeasurement!;

        var lite = OsImageVerifier.Verify(legacy, fixture.Registers, fixture.EventLog);
        var bundle = OsImageVerifier.VerifyWithMaterial(legacy, material, fixture.Registers, fixture.EventLog);
        var wrongHash = OsImageVerifier.VerifyWithMaterial(fixture.ConfigWith("os_image_hash", $"\"{new string('0', 64)}\""), material, fixture.Registers, fixture.EventLog);

        Assert.False(legacy.IsLite);
        Assert.Equal(OsImageVerifier.NotLiteReason, lite.Reason);
        Assert.True(bundle.Verified);
        Assert.Equal("bundle", bundle.Mode);
        Assert.Equal(LiteFixture.Rtmr0, Hex.Of(bundle.Expected!.Rtmr0));
        Assert.Equal(
            $"tdx lite measurement material does not match os_image_hash: os_image_hash mismatch: expected sha256(sha256sum.txt)={new string('0', 64)}, actual={LiteFixture.OsImageHash}",
            wrongHash.Reason);
    }

    private static string Measurement(byte[] checksum, byte[] cbor) =>
        $"{{\"checksum_file\":\"{Convert.ToBase64String(checksum)}\",\"measurement\":\"{Convert.ToBase64String(cbor)}\"}}";
}
