using System.Security.Cryptography;
using Dstack.Tests;
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
        // a TD whose RTMR3 is still zero, as for an empty log
        public Task<byte[]> GetTdReportAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken) => Task.FromResult(new byte[ITdxDevice.TdReportSize]);

        public Task<byte[]> GetQuoteAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ExtendRtmrAsync(int index, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken) => throw new TdxDeviceException("rtmr3:sha384: permission denied");

        public Task<byte[]> ReadCcelAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    [Fact]
    public async Task A_failed_append_after_the_extend_puts_the_emitter_in_the_inconsistent_state_until_the_log_is_repaired()
    {
        using var dir = new TempDirectory();
        var device = new SimulatedTdxDevice(Path.Combine(dir.Path, "td"), new FakeQuotingEnclave());
        var failing = true;
        byte[]? lost = null;
        var emitter = new RuntimeEventEmitter(device, dir.Path, new RuntimeEventEmitterOptions
        {
            AppendLine = async (path, line) =>
            {
                if (failing)
                {
                    lost = line.ToArray();
                    throw new IOException("No space left on device");
                }

                await File.AppendAllTextAsync(path, System.Text.Encoding.UTF8.GetString(line.Span));
            },
        });
        failing = false;
        await emitter.EmitAsync("first", new byte[] { 1 }, CancellationToken.None);
        failing = true;

        var ex = await Assert.ThrowsAsync<RuntimeEventLogException>(() => emitter.EmitAsync("second", new byte[] { 2 }, CancellationToken.None));

        Assert.Equal(
            $"the runtime event log {emitter.LogPath} does not replay to RTMR3 (an append failed after extend: No space left on device); quotes are refused until it is repaired",
            ex.Message);
        Assert.IsType<IOException>(ex.InnerException);
        var (_, rtmrs) = await device.ReadRegistersAsync(CancellationToken.None);
        var logged = await emitter.ReadLogAsync(CancellationToken.None);
        Assert.Equal(["first"], logged.Select(e => e.Name));
        Assert.NotEqual(rtmrs.ToHex(3), RtmrReplay.Replay(logged.Select(e => e.ToTdxEvent())).ToHex(3)); // the log is behind RTMR3

        failing = false;
        Assert.Equal(ex.Message, (await Assert.ThrowsAsync<RuntimeEventLogException>(() => emitter.EnsureConsistentAsync(CancellationToken.None))).Message);
        Assert.Equal(ex.Message, (await Assert.ThrowsAsync<RuntimeEventLogException>(() => emitter.EmitAsync("third", new byte[] { 3 }, CancellationToken.None))).Message);
        Assert.Equal(["first"], (await emitter.ReadLogAsync(CancellationToken.None)).Select(e => e.Name)); // nothing extended or logged meanwhile

        await File.AppendAllBytesAsync(emitter.LogPath, lost!); // the repair: the lost line
        await emitter.EnsureConsistentAsync(CancellationToken.None);
        Assert.Null(emitter.Inconsistency);
        await emitter.EmitAsync("third", new byte[] { 3 }, CancellationToken.None);
        (_, rtmrs) = await device.ReadRegistersAsync(CancellationToken.None);
        logged = await emitter.ReadLogAsync(CancellationToken.None);
        Assert.Equal(["first", "second", "third"], logged.Select(e => e.Name));
        Assert.Equal(rtmrs.ToHex(3), RtmrReplay.Replay(logged.Select(e => e.ToTdxEvent())).ToHex(3));
    }

    [Fact]
    public async Task At_start_a_log_behind_rtmr3_is_detected_and_named()
    {
        using var dir = new TempDirectory();
        var device = new SimulatedTdxDevice(Path.Combine(dir.Path, "td"), new FakeQuotingEnclave());
        await new RuntimeEventEmitter(device, dir.Path).EmitAsync("logged", new byte[] { 1 }, CancellationToken.None);
        await device.ExtendRtmrAsync(3, SHA384.HashData("unlogged"u8), CancellationToken.None); // a process stopped after its extend

        var emitter = new RuntimeEventEmitter(device, dir.Path);
        var ex = await Assert.ThrowsAsync<RuntimeEventLogException>(() => emitter.EnsureConsistentAsync(CancellationToken.None));

        Assert.Equal(
            $"the runtime event log {emitter.LogPath} does not replay to RTMR3 (RTMR3 holds extensions that the log does not list: an append failed after an extend, or a process stopped between them); quotes are refused until it is repaired",
            ex.Message);
        await Assert.ThrowsAsync<RuntimeEventLogException>(() => emitter.EmitAsync("more", new byte[] { 2 }, CancellationToken.None));
        Assert.Single(await emitter.ReadLogAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_consistent_log_passes_the_start_check_even_with_a_logged_event_not_yet_extended()
    {
        using var dir = new TempDirectory();
        var device = new SimulatedTdxDevice(Path.Combine(dir.Path, "td"), new FakeQuotingEnclave());
        await new RuntimeEventEmitter(device, dir.Path).EmitAsync("a", new byte[] { 1 }, CancellationToken.None);
        await File.AppendAllTextAsync(Path.Combine(dir.Path, RuntimeEventLog.FileName), RuntimeEventLog.FormatLine(new RuntimeEvent("pending", [])) + "\n");

        var emitter = new RuntimeEventEmitter(device, dir.Path);
        await emitter.EnsureConsistentAsync(CancellationToken.None);

        Assert.Null(emitter.Inconsistency);
    }

    [Fact]
    public async Task The_event_count_limit_refuses_before_extending_and_names_the_limit_and_the_count()
    {
        using var dir = new TempDirectory();
        var device = new SimulatedTdxDevice(Path.Combine(dir.Path, "td"), new FakeQuotingEnclave());
        var emitter = new RuntimeEventEmitter(device, dir.Path, new RuntimeEventEmitterOptions { MaxLogEvents = 2 });
        await emitter.EmitAsync("a", new byte[] { 1 }, CancellationToken.None);
        await emitter.EmitAsync("b", new byte[] { 1 }, CancellationToken.None);
        var (_, before) = await device.ReadRegistersAsync(CancellationToken.None);

        var ex = await Assert.ThrowsAsync<RuntimeEventLogException>(() => emitter.EmitAsync("c", new byte[] { 1 }, CancellationToken.None));

        Assert.Equal("event 'c' refused: the runtime event log holds 2 events, the limit is 2 (more would make quotes unverifiable)", ex.Message);
        var (_, after) = await device.ReadRegistersAsync(CancellationToken.None);
        Assert.Equal(before.ToHex(3), after.ToHex(3));
        Assert.Equal(2, (await emitter.ReadLogAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task The_attestation_size_limit_counts_name_and_payload_three_times_plus_overhead()
    {
        using var dir = new TempDirectory();
        var device = new SimulatedTdxDevice(Path.Combine(dir.Path, "td"), new FakeQuotingEnclave());
        var one = RuntimeEventLogSnapshot.AttestationFootprint("ab", 100);
        Assert.Equal((3 * 102) + RuntimeEventLogSnapshot.AttestationOverheadBytes, one);
        var emitter = new RuntimeEventEmitter(device, dir.Path, new RuntimeEventEmitterOptions { MaxLogAttestationBytes = (2 * one) + 1 });
        await emitter.EmitAsync("ab", new byte[100], CancellationToken.None);
        await emitter.EmitAsync("cd", new byte[100], CancellationToken.None);

        var ex = await Assert.ThrowsAsync<RuntimeEventLogException>(() => emitter.EmitAsync("ef", new byte[100], CancellationToken.None));

        Assert.Equal($"event 'ef' refused: the runtime event log takes {2 * one} bytes of an attestation and would take {3 * one}, the limit is {(2 * one) + 1} (more would make quotes unverifiable)", ex.Message);
    }

    [Fact]
    public void The_default_limits_stay_inside_what_verifiers_accept()
    {
        var options = new RuntimeEventEmitterOptions();
        var limits = ReplayLimits.Default;

        Assert.True(options.MaxLogEvents + RuntimeEventEmitterOptions.ReservedBootEvents <= limits.MaxEvents);
        Assert.True(options.MaxLogAttestationBytes <= Dstack.Attestation.Formats.AttestationCodec.MaxSize / 2);
        Assert.True(options.MaxLogAttestationBytes <= limits.MaxTotalBytes / 2);
        Assert.True(options.MaxPayloadBytes <= limits.MaxPayloadBytes);
    }

    [Fact]
    public async Task The_parsed_log_is_kept_and_only_what_other_processes_append_is_read()
    {
        using var dir = new TempDirectory();
        var state = Path.Combine(dir.Path, "td");
        var reader = new RuntimeEventEmitter(new SimulatedTdxDevice(state, new FakeQuotingEnclave()), dir.Path);
        var writer = new RuntimeEventEmitter(new SimulatedTdxDevice(state, new FakeQuotingEnclave()), dir.Path);
        await writer.EmitAsync("a", new byte[] { 1 }, CancellationToken.None);

        var first = await reader.ReadSnapshotAsync(CancellationToken.None);
        var again = await reader.ReadSnapshotAsync(CancellationToken.None);
        Assert.Same(first, again); // unchanged file: the same parsed copy

        await writer.EmitAsync("b", new byte[] { 2 }, CancellationToken.None);
        await File.AppendAllTextAsync(reader.LogPath, "{\"event\":\"partial"); // another append in progress
        var grown = await reader.ReadSnapshotAsync(CancellationToken.None);
        Assert.Equal(["a", "b"], grown.Events.Select(e => e.Name));
        Assert.Same(first.TdxEvents[0], grown.TdxEvents[0]); // earlier entries are not re-parsed
        Assert.Equal(grown.Events.Select(e => Convert.ToHexStringLower(e.ComputeDigest())), grown.TdxEvents.Select(e => Convert.ToHexStringLower(e.Digest)));

        await File.AppendAllTextAsync(reader.LogPath, "\",\"payload\":\"\"}\n");
        Assert.Equal(["a", "b", "partial"], (await reader.ReadSnapshotAsync(CancellationToken.None)).Events.Select(e => e.Name));

        await File.WriteAllTextAsync(reader.LogPath, string.Empty); // replaced: parsed again from the start
        Assert.Empty((await reader.ReadSnapshotAsync(CancellationToken.None)).Events);
    }
}
