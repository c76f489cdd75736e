using System.Security.Cryptography;
using Dstack.Attestation.Devices;
using Dstack.Tests;

namespace Dstack.Attestation.Tests.Devices;

public class LinuxTdxDeviceTests
{
    private static LinuxTdxDeviceOptions Options(string root, Dictionary<string, string>? environment = null) => new()
    {
        ConfigfsReportRoot = Path.Combine(root, "tsm", "report"),
        RtmrSysfsPath = Path.Combine(root, "measurements"),
        TdxGuestDevicePath = Path.Combine(root, "dev", "tdx_guest"),
        CcelPath = Path.Combine(root, "CCEL"),
        GetEnvironmentVariable = name => environment?.GetValueOrDefault(name),
        GenerationTimeout = TimeSpan.FromSeconds(20), // generous: the machine is shared; only the timeout test shortens it
        GenerationPollInterval = TimeSpan.FromMilliseconds(2),
        BusyRetryDelay = TimeSpan.FromMilliseconds(5),
        ProviderPollInterval = TimeSpan.FromMilliseconds(5),
    };

    private static byte[] ReportData() => SHA512.HashData("report"u8);

    [Fact]
    public async Task Quote_through_the_default_configfs_entry_embeds_the_report_data()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        var entry = Path.Combine(options.ConfigfsReportRoot, "com.intel.dcap");
        await using var kernel = new EmulatedKernel(entry);
        var device = new LinuxTdxDevice(options);

        var first = await device.GetQuoteAsync(ReportData(), CancellationToken.None);
        var second = await device.GetQuoteAsync(SHA512.HashData("other"u8), CancellationToken.None);

        Assert.Equal(EmulatedKernel.FakeQuote(ReportData(), 1100), first);
        Assert.Equal(EmulatedKernel.FakeQuote(SHA512.HashData("other"u8), 1100), second);
        Assert.Equal("9", File.ReadAllText(Path.Combine(entry, "generation")).Trim());
    }

    [Fact]
    public async Task Override_entry_is_used_and_validated()
    {
        using var dir = new TempDirectory();
        var entry = Path.Combine(dir.Path, "custom-entry");
        await using var kernel = new EmulatedKernel(entry);
        var device = new LinuxTdxDevice(Options(dir.Path, new() { [LinuxTdxDeviceOptions.ConfigfsPathVariable] = entry }));
        Assert.Equal(EmulatedKernel.FakeQuote(ReportData(), 1100), await device.GetQuoteAsync(ReportData(), CancellationToken.None));

        var relative = new LinuxTdxDevice(Options(dir.Path, new() { [LinuxTdxDeviceOptions.ConfigfsPathVariable] = "relative/entry" }));
        Assert.Contains("absolute", (await Assert.ThrowsAsync<TdxDeviceException>(() => relative.GetQuoteAsync(ReportData(), CancellationToken.None))).Message, StringComparison.Ordinal);

        var missing = new LinuxTdxDevice(Options(dir.Path, new() { [LinuxTdxDeviceOptions.ConfigfsPathVariable] = Path.Combine(dir.Path, "nope") }));
        Assert.Contains("not a directory", (await Assert.ThrowsAsync<TdxDeviceException>(() => missing.GetQuoteAsync(ReportData(), CancellationToken.None))).Message, StringComparison.Ordinal);

        var tooLong = new LinuxTdxDevice(Options(dir.Path, new() { [LinuxTdxDeviceOptions.ConfigfsPathVariable] = "/" + new string('a', 240) }));
        Assert.Contains("too long", (await Assert.ThrowsAsync<TdxDeviceException>(() => tooLong.GetQuoteAsync(ReportData(), CancellationToken.None))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provider_mismatch_is_rejected()
    {
        using var dir = new TempDirectory();
        var entry = Path.Combine(dir.Path, "snp-entry");
        await using var kernel = new EmulatedKernel(entry, provider: "sev_guest\n");
        var device = new LinuxTdxDevice(Options(dir.Path, new() { [LinuxTdxDeviceOptions.ConfigfsPathVariable] = entry }));

        var ex = await Assert.ThrowsAsync<TdxDeviceException>(() => device.GetQuoteAsync(ReportData(), CancellationToken.None));
        Assert.Contains("provider is 'sev_guest'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_default_entry_is_created_and_a_missing_provider_is_reported()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        var device = new LinuxTdxDevice(options);

        var ex = await Assert.ThrowsAsync<TdxDeviceException>(() => device.GetQuoteAsync(ReportData(), CancellationToken.None));

        Assert.Contains("provider attribute not found", ex.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(options.ConfigfsReportRoot, "com.intel.dcap")));
    }

    [Fact]
    public async Task Wrong_report_data_size_is_rejected_before_touching_inblob()
    {
        using var dir = new TempDirectory();
        var device = new LinuxTdxDevice(Options(dir.Path));
        Assert.Contains("exactly 64 bytes", (await Assert.ThrowsAsync<TdxDeviceException>(() => device.GetQuoteAsync(new byte[32], CancellationToken.None))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generation_not_advancing_times_out_with_a_clear_error()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path) with { GenerationTimeout = TimeSpan.FromMilliseconds(200) };
        await using var kernel = new EmulatedKernel(Path.Combine(options.ConfigfsReportRoot, "com.intel.dcap"), generationStep: 0);

        var ex = await Assert.ThrowsAsync<TdxDeviceException>(() => new LinuxTdxDevice(options).GetQuoteAsync(ReportData(), CancellationToken.None));

        Assert.Contains("generation did not advance from 7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generation_jumping_by_two_is_busy()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        await using var kernel = new EmulatedKernel(Path.Combine(options.ConfigfsReportRoot, "com.intel.dcap"), generationStep: 2);

        var ex = await Assert.ThrowsAsync<TdxDeviceException>(() => new LinuxTdxDevice(options).GetQuoteAsync(ReportData(), CancellationToken.None));

        Assert.Contains("jumped from 7 to 9", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outblob_too_small_is_rejected()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        await using var kernel = new EmulatedKernel(Path.Combine(options.ConfigfsReportRoot, "com.intel.dcap"), quoteSize: 1020);

        var ex = await Assert.ThrowsAsync<TdxDeviceException>(() => new LinuxTdxDevice(options).GetQuoteAsync(ReportData(), CancellationToken.None));

        Assert.Contains("quote of 1020 bytes is out of range", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rtmr_extension_writes_48_bytes_to_the_sysfs_file()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        Directory.CreateDirectory(options.RtmrSysfsPath);
        var rtmr3 = Path.Combine(options.RtmrSysfsPath, "rtmr3:sha384");
        File.WriteAllBytes(rtmr3, new byte[48]);
        var digest = SHA384.HashData("event"u8);

        await new LinuxTdxDevice(options).ExtendRtmrAsync(3, digest, CancellationToken.None);

        Assert.Equal(digest, File.ReadAllBytes(rtmr3));
    }

    [Fact]
    public async Task Rtmr_override_index_and_support_errors()
    {
        using var dir = new TempDirectory();
        var overrideDir = Path.Combine(dir.Path, "fuse-measurements");
        Directory.CreateDirectory(overrideDir);
        File.WriteAllBytes(Path.Combine(overrideDir, "rtmr2:sha384"), new byte[48]);
        var digest = SHA384.HashData("x"u8);
        var device = new LinuxTdxDevice(Options(dir.Path, new() { [LinuxTdxDeviceOptions.RtmrSysfsPathVariable] = overrideDir }));

        await device.ExtendRtmrAsync(2, digest, CancellationToken.None);
        Assert.Equal(digest, File.ReadAllBytes(Path.Combine(overrideDir, "rtmr2:sha384")));

        Assert.Contains("invalid RTMR index 4", (await Assert.ThrowsAsync<TdxDeviceException>(() => device.ExtendRtmrAsync(4, digest, CancellationToken.None))).Message, StringComparison.Ordinal);
        Assert.Contains("48 bytes", (await Assert.ThrowsAsync<TdxDeviceException>(() => device.ExtendRtmrAsync(3, new byte[47], CancellationToken.None))).Message, StringComparison.Ordinal);

        var unsupported = new LinuxTdxDevice(Options(dir.Path));
        Assert.Contains("not supported", (await Assert.ThrowsAsync<TdxDeviceException>(() => unsupported.ExtendRtmrAsync(3, digest, CancellationToken.None))).Message, StringComparison.Ordinal);

        var noReport = new LinuxTdxDevice(Options(dir.Path));
        Assert.Contains("tdx_guest", (await Assert.ThrowsAsync<TdxDeviceException>(() => noReport.GetTdReportAsync(new byte[64], CancellationToken.None))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ccel_is_read_from_the_override_or_the_default_path()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.Path);
        File.WriteAllBytes(options.CcelPath, [1, 2, 3]);
        Assert.Equal([1, 2, 3], await new LinuxTdxDevice(options).ReadCcelAsync(CancellationToken.None));

        var fixture = SharedFiles.Fixture("eventlog-ccel.bin");
        var overridden = new LinuxTdxDevice(Options(dir.Path, new() { [LinuxTdxDeviceOptions.CcelFileVariable] = fixture }));
        Assert.Equal(SharedFiles.ReadFixture("eventlog-ccel.bin"), await overridden.ReadCcelAsync(CancellationToken.None));

        var relative = new LinuxTdxDevice(Options(dir.Path, new() { [LinuxTdxDeviceOptions.CcelFileVariable] = "ccel.bin" }));
        Assert.Contains("absolute", (await Assert.ThrowsAsync<TdxDeviceException>(() => relative.ReadCcelAsync(CancellationToken.None))).Message, StringComparison.Ordinal);

        File.Delete(options.CcelPath);
        Assert.Contains("CCEL", (await Assert.ThrowsAsync<TdxDeviceException>(() => new LinuxTdxDevice(options).ReadCcelAsync(CancellationToken.None))).Message, StringComparison.Ordinal);
    }
}
