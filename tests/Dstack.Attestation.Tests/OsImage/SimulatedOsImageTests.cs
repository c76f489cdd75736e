using System.Security.Cryptography;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.OsImage;

namespace Dstack.Attestation.Tests.OsImage;

/// <summary>The §7 simulated bundle: the §7.5 vector and verification of simulated boots.</summary>
public class SimulatedOsImageTests
{
    private const string Rtmr0At2GiB = "b571bf666713027f5d2eb3d26b976bb72760268cfbae886db5377071b568416eb677c58c0e6c2c0b99964731a3045d3a";
    private const string Rtmr0At4GiB = "532d13fe68b9c76d8c4050a603667786354f1536f38474478df01f9eb0ba23a5d32b9e2c46ef46c0f3f537178e1fd8f8";
    private const string Rtmr1 = "d562390054d9b9189c9b04d90e85bc81ece5f3e32713505b328f475f44fd69e4368067bb2cba5a3927ba99a2b6aed904";
    private const string Rtmr2 = "e3637c439d8114d825907dae125ec6db3861ec37de478aae6a20e539f0c902179143fae4cea69e57ca241b41739c8f8d";

    [Fact]
    public void Default_bundle_reproduces_the_vector()
    {
        var image = SimulatedOsImage.Default;

        Assert.Equal("dstack-sim-0.6.0", image.Name);
        Hex.AssertAbbreviated("2fe761b5…0c492434", image.Document.CmdlineSha384);
        Hex.AssertAbbreviated("4c5f004c…5b746558", image.Document.KernelAuthenticode);
        Hex.AssertAbbreviated("40348920…e1b636d2", image.Document.InitrdSha384);
        Hex.AssertAbbreviated("f9d5f07d…7727ed18", image.Document.MrtdSinglePass);
        Hex.AssertAbbreviated("e46c9ca8…a577c88d", image.Document.MrtdTwoPass);
        Assert.Equal(SHA384.HashData("dstack-sim:kernel:dstack-sim-0.6.0"u8), image.Document.KernelAuthenticode);
        Assert.Equal("80100904000609020b021010", Hex.Of(image.Document.TdHob));
        Assert.Equal("pre202505", image.Document.Ovmf);
        Assert.Equal(384, image.Measurement.Length);
        Assert.Equal("69ed3943e421c601cccb4cf623bc5c8f0c1a381eb9363df58d52206a30f746b3", Hex.Of(SHA256.HashData(image.Measurement)));
        Assert.Equal("69ed3943e421c601cccb4cf623bc5c8f0c1a381eb9363df58d52206a30f746b3  measurement.tdx.cbor\n", System.Text.Encoding.ASCII.GetString(image.ChecksumFile));
        Assert.Equal("92183ca5331fb3459d293aa61087659801cdf281f3a2637bc5a84cde8cf0b17a", image.OsImageHashHex);
        Assert.Equal(image.Measurement, TdxOsImageMeasurement.Decode(image.Measurement).Encode());
    }

    [Theory]
    [InlineData(2147483648UL, "8.2.2", true, Rtmr0At2GiB)]
    [InlineData(4294967296UL, "9.1.0", false, Rtmr0At4GiB)]
    public void Boot_gives_the_vector_registers(ulong memorySize, string qemuVersion, bool twoPass, string rtmr0)
    {
        var boot = SimulatedOsImage.Default.Boot(memorySize, qemuVersion);

        var document = SimulatedOsImage.Default.Document;
        Assert.Equal(twoPass ? document.MrtdTwoPass : document.MrtdSinglePass, boot.MrTd);
        Assert.Equal(rtmr0, Hex.Of(boot.Rtmr0));
        Assert.Equal(Rtmr1, Hex.Of(boot.Rtmr1));
        Assert.Equal(Rtmr2, Hex.Of(boot.Rtmr2));
    }

    [Fact]
    public void Boot_log_replays_to_the_registers_and_round_trips_through_ccel()
    {
        var boot = SimulatedOsImage.Default.Boot(2147483648, "8.2.2");

        Assert.Equal([13, 5, 2, 0], Enumerable.Range(0, 4).Select(i => boot.Events.Count(e => e.Imr == i)));
        var parsed = CcelParser.Parse(boot.Ccel);
        Assert.Equal(boot.Events.Count, parsed.Count);
        for (var i = 0; i < parsed.Count; i++)
        {
            Assert.Equal(boot.Events[i].Imr, parsed[i].Imr);
            Assert.Equal(boot.Events[i].EventType, parsed[i].EventType);
            Assert.Equal(boot.Events[i].Digest, parsed[i].Digest);
            Assert.Equal(boot.Events[i].Event, parsed[i].Event);
            Assert.Equal(boot.Events[i].EventPayload, parsed[i].EventPayload);
        }

        Assert.Equal(["acpi-loader", "acpi-rsdp", "acpi-tables"], parsed.Where(e => e.Event.Length > 0).Select(e => e.Event));
        Assert.All(parsed.Where(e => e.Event.Length > 0), e => Assert.Equal(10u, e.EventType));
        var acpi = AcpiDigests.FromEventLog(parsed);
        Assert.Equal("68cd79315e70aecd4afe7c1b23a5ed7b3b8e51a477e1739f111b3156def86bbc56ebf239dcd4591bc7a9fff90023f481", Hex.Of(acpi.Loader));
        Assert.Equal(SimulatedOsImage.Acpi.Rsdp, acpi.Rsdp);
        Assert.Equal(SimulatedOsImage.Acpi.Tables, acpi.Tables);
        var replay = RtmrReplay.Replay(parsed);
        Assert.Equal(Rtmr0At2GiB, replay.ToHex(0));
        Assert.Equal(Rtmr1, replay.ToHex(1));
        Assert.Equal(Rtmr2, replay.ToHex(2));
        Assert.Equal(new string('0', 96), replay.ToHex(3));
    }

    [Fact]
    public void Simulated_acpi_digests_are_those_of_the_ccel_fixture()
    {
        var events = CcelParser.Parse(Dstack.Tests.SharedFiles.ReadFixture("eventlog-ccel.bin"));

        var acpi = AcpiDigests.FromEventLog(events);

        Assert.Equal(SimulatedOsImage.Acpi.Loader, acpi.Loader);
        Assert.Equal(SimulatedOsImage.Acpi.Rsdp, acpi.Rsdp);
        Assert.Equal(SimulatedOsImage.Acpi.Tables, acpi.Tables);
    }

    [Theory]
    [InlineData(2147483648UL, "8.2.2")]
    [InlineData(4294967296UL, "9.1.0")]
    [InlineData(2952790016UL, null)]
    public void A_simulated_td_verifies_against_its_own_vm_config(ulong memorySize, string? qemuVersion)
    {
        var image = SimulatedOsImage.Default;
        var boot = image.Boot(memorySize, qemuVersion);
        var config = OsImageVmConfig.Parse(boot.VmConfig);

        var verdict = OsImageVerifier.Verify(config, boot.Registers, CcelParser.Parse(boot.Ccel));
        var bundle = OsImageVerifier.VerifyWithMaterial(config, image.Material, boot.Registers, boot.Events);

        Assert.True(verdict.Verified, verdict.Reason);
        Assert.True(bundle.Verified, bundle.Reason);
        Assert.Equal(image.OsImageHashHex, verdict.OsImageHash);
        Assert.Equal(memorySize, config.MemorySize);
        Assert.Equal(qemuVersion, config.QemuVersion);
        Assert.Equal(image.Material.ChecksumFile, config.TdxMeasurement!.ChecksumFile);
        Assert.Equal(image.Measurement, config.TdxMeasurement.Measurement);
    }

    [Fact]
    public void Vm_config_json_carries_the_documented_keys()
    {
        using var document = System.Text.Json.JsonDocument.Parse(SimulatedOsImage.Default.VmConfig(2147483648, "8.2.2"));
        var root = document.RootElement;

        Assert.Equal(["os_image_hash", "cpu_count", "memory_size", "qemu_version", "tdx_attestation_variant", "tdx_measurement"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("92183ca5331fb3459d293aa61087659801cdf281f3a2637bc5a84cde8cf0b17a", root.GetProperty("os_image_hash").GetString());
        Assert.Equal("lite", root.GetProperty("tdx_attestation_variant").GetString());
        Assert.Equal(2147483648UL, root.GetProperty("memory_size").GetUInt64());
        Assert.Equal(2, root.GetProperty("cpu_count").GetInt32());
    }

    [Fact]
    public void A_td_checked_against_4_gib_fails_at_rtmr0()
    {
        var boot = SimulatedOsImage.Default.Boot(2147483648, "8.2.2");
        var config = OsImageVmConfig.Parse(SimulatedOsImage.Default.VmConfig(4294967296, "8.2.2"));

        var verdict = OsImageVerifier.Verify(config, boot.Registers, boot.Events);

        Assert.Equal($"MRs do not match: RTMR0 mismatch: expected={Hex.Of(SimulatedOsImage.Default.Boot(4294967296, "8.2.2").Rtmr0)}, actual={Rtmr0At2GiB}", verdict.Reason);
    }

    [Fact]
    public void A_td_checked_against_qemu_9_fails_at_mrtd()
    {
        var image = SimulatedOsImage.Default;
        var boot = image.Boot(2147483648, "8.2.2");
        var config = OsImageVmConfig.Parse(image.VmConfig(2147483648, "9.1.0"));

        var verdict = OsImageVerifier.Verify(config, boot.Registers, boot.Events);

        Assert.Equal($"MRs do not match: MRTD mismatch: expected={Hex.Of(image.Document.MrtdSinglePass)}, actual={Hex.Of(image.Document.MrtdTwoPass)}", verdict.Reason);
    }

    [Fact]
    public void A_td_from_another_bundle_is_refused_at_mrtd()
    {
        var other = SimulatedOsImage.Create("dstack-sim-0.6.1");
        var boot = other.Boot(2147483648, "8.2.2");
        var config = OsImageVmConfig.Parse(SimulatedOsImage.Default.VmConfig(2147483648, "8.2.2"));

        var verdict = OsImageVerifier.Verify(config, boot.Registers, boot.Events);

        Assert.NotEqual(other.OsImageHashHex, SimulatedOsImage.Default.OsImageHashHex);
        Assert.Equal(
            $"MRs do not match: MRTD mismatch: expected={Hex.Of(SimulatedOsImage.Default.Document.MrtdTwoPass)}, actual={Hex.Of(other.Document.MrtdTwoPass)}",
            verdict.Reason);
    }

    [Fact]
    public void A_forged_vm_config_pairing_one_hash_with_another_bundle_fails_at_step_3()
    {
        var image = SimulatedOsImage.Default;
        var other = SimulatedOsImage.Create("dstack-sim-evil");
        var boot = image.Boot(2147483648, "8.2.2");
        var forged = OsImageVmConfig.Parse(boot.VmConfig) with { TdxMeasurement = new OsImageMaterial(image.ChecksumFile, other.Measurement) };
        var otherHash = OsImageVmConfig.Parse(boot.VmConfig) with { OsImageHash = other.OsImageHash };

        var verdict = OsImageVerifier.Verify(forged, boot.Registers, boot.Events);
        var hashVerdict = OsImageVerifier.Verify(otherHash, boot.Registers, boot.Events);

        Assert.Equal(
            $"tdx lite measurement material does not match os_image_hash: measurement.tdx.cbor hash mismatch: sha256sum.txt={Hex.Of(SHA256.HashData(image.Measurement))}, actual={Hex.Of(SHA256.HashData(other.Measurement))}",
            verdict.Reason);
        Assert.Equal(
            $"tdx lite measurement material does not match os_image_hash: os_image_hash mismatch: expected sha256(sha256sum.txt)={other.OsImageHashHex}, actual={image.OsImageHashHex}",
            hashVerdict.Reason);
    }

    [Fact]
    public void Boot_outside_the_memory_gate_is_an_argument_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => SimulatedOsImage.Default.Boot(1073741824, "8.2.2"));
        Assert.Contains("got 1073741824 bytes", ex.Message, StringComparison.Ordinal);
    }
}
