using Dstack.Tests;
using System.Security.Cryptography;
using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Simulation;

namespace Dstack.Attestation.Tests.Devices;

public class SimulatedTdxDeviceTests
{
    [Fact]
    public async Task First_start_boots_the_default_simulated_image_and_its_ccel_replays_to_rtmr0_to_2()
    {
        using var dir = new TempDirectory();
        var device = new SimulatedTdxDevice(dir.Path, new FakeQuotingEnclave());

        var ccel = await device.ReadCcelAsync(CancellationToken.None);
        var events = CcelParser.Parse(ccel);
        var (mrTd, rtmrs) = await device.ReadRegistersAsync(CancellationToken.None);

        Assert.Equal(["acpi-loader", "acpi-rsdp", "acpi-tables"], events.Where(e => e.Event.Length > 0).Select(e => e.Event));
        Assert.Equal(20, events.Count);
        var replay = RtmrReplay.Replay(events);
        Assert.Equal(replay.ToHex(0), rtmrs.ToHex(0));
        Assert.Equal(replay.ToHex(1), rtmrs.ToHex(1));
        Assert.Equal(replay.ToHex(2), rtmrs.ToHex(2));
        Assert.Equal(new string('0', 96), rtmrs.ToHex(3));
        // os-image-verification §7.5: dstack-sim-0.6.0 at 2 GiB on QEMU 8.2.2
        Assert.Equal(SimulatedOsImage.Digest("mrtd-two", SimulatedOsImage.DefaultName), mrTd);
        Assert.Equal("b571bf666713027f5d2eb3d26b976bb72760268cfbae886db5377071b568416eb677c58c0e6c2c0b99964731a3045d3a", rtmrs.ToHex(0));
        Assert.Equal("d562390054d9b9189c9b04d90e85bc81ece5f3e32713505b328f475f44fd69e4368067bb2cba5a3927ba99a2b6aed904", rtmrs.ToHex(1));
        Assert.Equal("e3637c439d8114d825907dae125ec6db3861ec37de478aae6a20e539f0c902179143fae4cea69e57ca241b41739c8f8d", rtmrs.ToHex(2));
        Assert.True(File.Exists(Path.Combine(dir.Path, SimulatedTdxDevice.StateFileName)));
    }

    [Fact]
    public async Task A_boot_image_file_written_before_power_on_selects_the_image_memory_and_qemu_version()
    {
        using var dir = new TempDirectory();
        new SimulatedBootImage(SimulatedOsImage.DefaultName, 4UL << 30, "9.1.0").Write(dir.Path);
        var device = new SimulatedTdxDevice(dir.Path, new FakeQuotingEnclave());

        var (mrTd, rtmrs) = await device.ReadRegistersAsync(CancellationToken.None);

        Assert.Equal(SimulatedOsImage.Digest("mrtd-single", SimulatedOsImage.DefaultName), mrTd);
        Assert.Equal("532d13fe68b9c76d8c4050a603667786354f1536f38474478df01f9eb0ba23a5d32b9e2c46ef46c0f3f537178e1fd8f8", rtmrs.ToHex(0));
        Assert.Equal("d562390054d9b9189c9b04d90e85bc81ece5f3e32713505b328f475f44fd69e4368067bb2cba5a3927ba99a2b6aed904", rtmrs.ToHex(1));
    }

    [Fact]
    public async Task A_boot_image_outside_the_lite_memory_gate_is_a_device_error_naming_the_directory()
    {
        using var dir = new TempDirectory();
        new SimulatedBootImage(SimulatedOsImage.DefaultName, 0x90000000, "8.2.2").Write(dir.Path);
        var device = new SimulatedTdxDevice(dir.Path, new FakeQuotingEnclave());

        var error = await Assert.ThrowsAsync<TdxDeviceException>(() => device.ReadRegistersAsync(CancellationToken.None));

        Assert.StartsWith($"simulated TD in {dir.Path} cannot boot its image: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("2415919104", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Td_report_has_the_tdx_layout_and_the_quote_wraps_it()
    {
        using var dir = new TempDirectory();
        var device = new SimulatedTdxDevice(dir.Path, new FakeQuotingEnclave());
        var reportData = Enumerable.Range(1, 64).Select(i => (byte)i).ToArray();
        var digest = SHA384.HashData("x"u8);
        await device.ExtendRtmrAsync(3, digest, CancellationToken.None);

        var report = await device.GetTdReportAsync(reportData, CancellationToken.None);
        var quote = await device.GetQuoteAsync(reportData, CancellationToken.None);
        var (_, rtmrs) = await device.ReadRegistersAsync(CancellationToken.None);

        Assert.Equal(1024, report.Length);
        Assert.Equal(reportData, report[128..192]);
        Assert.Equal([0, 0, 0, 0x10, 0, 0, 0, 0], report[512..520]);
        Assert.Equal(SimulatedOsImage.Digest("mrtd-two", SimulatedOsImage.DefaultName), report[528..576]);
        Assert.Equal(rtmrs[0], report[720..768]);
        Assert.Equal(rtmrs[1], report[768..816]);
        Assert.Equal(SHA384.HashData([.. new byte[48], .. digest]), report[864..912]);
        Assert.Equal(new byte[32], report[224..256]); // MAC
        Assert.Equal([.. FakeQuotingEnclave.Marker, .. report], quote);
    }

    [Fact]
    public async Task Rtmr_state_persists_across_instances()
    {
        using var dir = new TempDirectory();
        var digest = SHA384.HashData("persist"u8);
        await new SimulatedTdxDevice(dir.Path, new FakeQuotingEnclave()).ExtendRtmrAsync(2, digest, CancellationToken.None);

        var (_, rtmrs) = await new SimulatedTdxDevice(dir.Path, new FakeQuotingEnclave()).ReadRegistersAsync(CancellationToken.None);

        Assert.Equal(SHA384.HashData([.. SimulatedBootImage.Default.Boot().Rtmr2, .. digest]), rtmrs[2]);
    }

    [Fact]
    public async Task Invalid_inputs_are_clear_errors()
    {
        using var dir = new TempDirectory();
        var device = new SimulatedTdxDevice(dir.Path, new FakeQuotingEnclave());

        Assert.Contains("RTMR0 cannot be extended", (await Assert.ThrowsAsync<TdxDeviceException>(() => device.ExtendRtmrAsync(0, new byte[48], CancellationToken.None))).Message, StringComparison.Ordinal);
        Assert.Contains("RTMR4", (await Assert.ThrowsAsync<TdxDeviceException>(() => device.ExtendRtmrAsync(4, new byte[48], CancellationToken.None))).Message, StringComparison.Ordinal);
        Assert.Contains("48 bytes", (await Assert.ThrowsAsync<TdxDeviceException>(() => device.ExtendRtmrAsync(3, new byte[47], CancellationToken.None))).Message, StringComparison.Ordinal);
        Assert.Contains("64 bytes", (await Assert.ThrowsAsync<TdxDeviceException>(() => device.GetTdReportAsync(new byte[63], CancellationToken.None))).Message, StringComparison.Ordinal);
        Assert.Contains("64 bytes", (await Assert.ThrowsAsync<TdxDeviceException>(() => device.GetQuoteAsync(new byte[65], CancellationToken.None))).Message, StringComparison.Ordinal);
    }
}
