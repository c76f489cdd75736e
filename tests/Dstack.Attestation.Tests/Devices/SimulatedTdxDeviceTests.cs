using System.Security.Cryptography;
using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Tests.Devices;

public class SimulatedTdxDeviceTests
{
    [Fact]
    public async Task First_start_writes_a_ccel_whose_replay_is_rtmr0_to_2()
    {
        using var dir = new TempDirectory();
        var device = new SimulatedTdxDevice(dir.Path, new FakeQuotingEnclave());

        var ccel = await device.ReadCcelAsync(CancellationToken.None);
        var events = CcelParser.Parse(ccel);
        var (mrTd, rtmrs) = await device.ReadRegistersAsync(CancellationToken.None);

        Assert.Equal(["acpi-loader", "acpi-rsdp", "acpi-tables"], events.Where(e => e.Event.Length > 0).Select(e => e.Event));
        Assert.Equal(8, events.Count);
        var replay = RtmrReplay.Replay(events);
        Assert.Equal(replay.ToHex(0), rtmrs.ToHex(0));
        Assert.Equal(replay.ToHex(1), rtmrs.ToHex(1));
        Assert.Equal(new string('0', 96), rtmrs.ToHex(2));
        Assert.Equal(new string('0', 96), rtmrs.ToHex(3));
        Assert.Equal(SimulatedTdxDevice.DefaultMrTd.ToArray(), mrTd);
        Assert.True(File.Exists(Path.Combine(dir.Path, SimulatedTdxDevice.StateFileName)));
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
        Assert.Equal(SimulatedTdxDevice.DefaultMrTd.ToArray(), report[528..576]);
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

        Assert.Equal(SHA384.HashData([.. new byte[48], .. digest]), rtmrs[2]);
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
