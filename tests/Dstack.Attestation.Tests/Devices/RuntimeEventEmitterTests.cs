using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;

namespace Dstack.Attestation.Tests.Devices;

public class RuntimeEventEmitterTests
{
    [Fact]
    public async Task Concurrent_emitters_on_one_directory_log_in_extension_order()
    {
        using var dir = new TempDirectory();
        var state = Path.Combine(dir.Path, "td");
        var logs = Path.Combine(dir.Path, "log");
        // separate device and emitter instances, each with its own file handles, like separate processes
        var emitters = Enumerable.Range(0, 4)
            .Select(i => new RuntimeEventEmitter(new SimulatedTdxDevice(state, new FakeQuotingEnclave()), logs, new RuntimeEventEmitterOptions { Version = i % 2 == 0 ? 1 : 2 }))
            .ToList();

        await Task.WhenAll(emitters.Select((emitter, i) => Task.Run(async () =>
        {
            for (var n = 0; n < 10; n++)
            {
                await emitter.EmitAsync($"event-{i}-{n}", new byte[] { (byte)i, (byte)n }, CancellationToken.None);
            }
        })));

        var logged = await emitters[0].ReadLogAsync(CancellationToken.None);
        var (_, rtmrs) = await new SimulatedTdxDevice(state, new FakeQuotingEnclave()).ReadRegistersAsync(CancellationToken.None);
        Assert.Equal(40, logged.Count);
        Assert.Equal(40, logged.Select(e => e.Name).Distinct().Count());
        Assert.Equal(20, logged.Count(e => e.Version == 2));
        Assert.Equal(rtmrs.ToHex(3), Convert.ToHexStringLower(AppInfoCalculator.ReplayRuntimeEvents(logged, bootTime: false)));
        Assert.Equal(rtmrs.ToHex(3), RtmrReplay.Replay(logged.Select(e => e.ToTdxEvent())).ToHex(3));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(emitters[0].LogPath));
        }
    }

    [Fact]
    public async Task Log_lines_have_the_dstack_format()
    {
        using var dir = new TempDirectory();
        var device = new SimulatedTdxDevice(Path.Combine(dir.Path, "td"), new FakeQuotingEnclave());
        await new RuntimeEventEmitter(device, dir.Path).EmitAsync("a", new byte[] { 1, 2, 3 }, CancellationToken.None);
        await new RuntimeEventEmitter(device, dir.Path, new RuntimeEventEmitterOptions { Version = 2 }).EmitAsync("b", new byte[] { 1 }, CancellationToken.None);

        Assert.Equal("{\"event\":\"a\",\"payload\":\"AQID\"}\n{\"event\":\"b\",\"payload\":\"AQ==\",\"version\":2}\n",
            await File.ReadAllTextAsync(Path.Combine(dir.Path, RuntimeEventLog.FileName)));
    }

    [Fact]
    public async Task A_failed_extend_appends_nothing()
    {
        using var dir = new TempDirectory();
        var emitter = new RuntimeEventEmitter(new FailingDevice(), dir.Path);

        await Assert.ThrowsAsync<TdxDeviceException>(() => emitter.EmitAsync("x", new byte[] { 1 }, CancellationToken.None));

        Assert.False(File.Exists(emitter.LogPath));
        Assert.Empty(await emitter.ReadLogAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("bad\nname", "control character")]
    [InlineData("lone-surrogate", "surrogate")]
    public async Task Invalid_names_are_rejected_before_extending(string name, string message)
    {
        using var dir = new TempDirectory();
        var emitter = new RuntimeEventEmitter(new FailingDevice(), dir.Path);
        name = name == "lone-surrogate" ? "bad" + (char)0xD800 : name; // xunit would mangle a lone surrogate in InlineData
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => emitter.EmitAsync(name, Array.Empty<byte>(), CancellationToken.None));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_payload_and_long_name_are_rejected()
    {
        using var dir = new TempDirectory();
        var emitter = new RuntimeEventEmitter(new FailingDevice(), dir.Path, new RuntimeEventEmitterOptions { MaxPayloadBytes = 4, MaxNameLength = 3 });
        Assert.Contains("exceeds 4", (await Assert.ThrowsAsync<ArgumentException>(() => emitter.EmitAsync("a", new byte[5], CancellationToken.None))).Message, StringComparison.Ordinal);
        Assert.Contains("exceeds 3", (await Assert.ThrowsAsync<ArgumentException>(() => emitter.EmitAsync("abcd", Array.Empty<byte>(), CancellationToken.None))).Message, StringComparison.Ordinal);
    }

    private sealed class FailingDevice : ITdxDevice
    {
        public Task<byte[]> GetTdReportAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<byte[]> GetQuoteAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ExtendRtmrAsync(int index, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken) => throw new TdxDeviceException("rtmr3:sha384: permission denied");

        public Task<byte[]> ReadCcelAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
