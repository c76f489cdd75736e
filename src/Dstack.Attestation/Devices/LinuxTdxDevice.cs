using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Dstack.Attestation.Devices;

/// <summary>
/// The TDX guest interfaces of Linux, used as dstack uses them (spec tdx-boot §1.1–1.5): quotes through
/// configfs-tsm, TD reports through the <c>/dev/tdx_guest</c> GET_REPORT0 ioctl, RTMR extension through sysfs
/// (ioctl fallback) and the CCEL boot log from ACPI.
/// </summary>
public sealed class LinuxTdxDevice : ITdxDevice
{
    /// <summary>Size of the buffer the quote is read into with a single read.</summary>
    public const int QuoteBufferSize = 8192;

    /// <summary>A quote must be longer than this.</summary>
    public const int MinQuoteSize = 1020;

    private const int MaxOverridePathLength = 240;
    private const int Ebusy = 16;
    private const int Eintr = 4;
    private const int Einval = 22;
    private const int Etimedout = 110;
    private const int MaxCcelSize = 16 << 20;

    private static readonly SemaphoreSlim QuoteLock = new(1, 1);
    private readonly LinuxTdxDeviceOptions _options;
    private int _defaultEntryCreated;

    /// <summary>Creates the device with the given options (defaults: the real kernel paths and dstack's timings).</summary>
    public LinuxTdxDevice(LinuxTdxDeviceOptions? options = null) => _options = options ?? new LinuxTdxDeviceOptions();

    /// <inheritdoc />
    public async Task<byte[]> GetQuoteAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        CheckReportData(reportData);
        await QuoteLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var crossProcess = _options.QuoteLockFile is { } lockFile
                ? await ExclusiveFileLock.AcquireAsync(lockFile, _options.GenerationPollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false)
                : null;
            var entry = await PrepareConfigfsEntryAsync(cancellationToken).ConfigureAwait(false);
            return await GetQuoteFromEntryAsync(entry, reportData, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            QuoteLock.Release();
        }
    }

    /// <inheritdoc />
    public Task<byte[]> GetTdReportAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        CheckReportData(reportData);
        cancellationToken.ThrowIfCancellationRequested();
        var devicePath = _options.TdxGuestDevicePath;
        if (!File.Exists(devicePath))
        {
            throw new TdxDeviceException($"{devicePath}: TDX guest device not found; TD reports need /dev/tdx_guest");
        }

        var request = new byte[ITdxDevice.ReportDataSize + ITdxDevice.TdReportSize];
        reportData.Span.CopyTo(request);
        using var handle = OpenDevice(devicePath);
        var errno = NativeMethods.Ioctl(handle, NativeMethods.TdxCmdGetReport0, request);
        if (errno != 0)
        {
            throw new TdxDeviceException($"{devicePath}: TDX_CMD_GET_REPORT0 failed with errno {errno}");
        }

        return Task.FromResult(request[ITdxDevice.ReportDataSize..]);
    }

    /// <inheritdoc />
    public async Task ExtendRtmrAsync(int index, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken)
    {
        if (index is < 0 or > 3)
        {
            throw new TdxDeviceException($"invalid RTMR index {index}: must be 0..3");
        }

        if (digest.Length != ITdxDevice.RtmrSize)
        {
            throw new TdxDeviceException($"RTMR extend data must be {ITdxDevice.RtmrSize} bytes, got {digest.Length}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var sysfsDirectory = ResolveRtmrDirectory();
        if (sysfsDirectory is not null)
        {
            await ExtendThroughSysfsAsync(sysfsDirectory, index, digest, cancellationToken).ConfigureAwait(false);
            return;
        }

        var devicePath = _options.TdxGuestDevicePath;
        if (!File.Exists(devicePath))
        {
            throw new TdxDeviceException(
                $"RTMR extension is not supported: neither {_options.RtmrSysfsPath} nor {devicePath} exists");
        }

        var request = new byte[ITdxDevice.RtmrSize + 1];
        digest.Span.CopyTo(request);
        request[ITdxDevice.RtmrSize] = (byte)index;
        using var handle = OpenDevice(devicePath);
        var errno = NativeMethods.Ioctl(handle, NativeMethods.TdxCmdExtendRtmr, request);
        if (errno == Einval)
        {
            throw new TdxDeviceException($"{devicePath}: TDX_CMD_EXTEND_RTMR rejected RTMR index {index} (EINVAL)");
        }

        if (errno != 0)
        {
            throw new TdxDeviceException($"{devicePath}: TDX_CMD_EXTEND_RTMR failed with errno {errno}");
        }
    }

    /// <inheritdoc />
    public async Task<byte[]> ReadCcelAsync(CancellationToken cancellationToken)
    {
        var path = _options.CcelPath;
        var overridePath = _options.GetEnvironmentVariable(LinuxTdxDeviceOptions.CcelFileVariable);
        if (overridePath is not null)
        {
            path = CheckOverride(LinuxTdxDeviceOptions.CcelFileVariable, overridePath, checkLength: false);
        }

        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxCcelSize)
            {
                throw new TdxDeviceException($"{path}: CCEL of {info.Length} bytes exceeds {MaxCcelSize}");
            }

            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TdxDeviceException($"{path}: cannot read the CCEL event log: {ex.Message}", ex);
        }
    }

    private async Task<string> PrepareConfigfsEntryAsync(CancellationToken cancellationToken)
    {
        var overridePath = _options.GetEnvironmentVariable(LinuxTdxDeviceOptions.ConfigfsPathVariable);
        if (overridePath is not null)
        {
            var entry = CheckOverride(LinuxTdxDeviceOptions.ConfigfsPathVariable, overridePath, checkLength: true);
            if (!Directory.Exists(entry))
            {
                throw new TdxDeviceException($"{LinuxTdxDeviceOptions.ConfigfsPathVariable}={entry}: not a directory");
            }

            CheckProvider(entry);
            return entry;
        }

        var defaultEntry = Path.Combine(_options.ConfigfsReportRoot, _options.ConfigfsEntryName);
        if (Directory.Exists(defaultEntry) && ReadProvider(defaultEntry) is { } provider && IsTdxProvider(provider))
        {
            return defaultEntry;
        }

        if (Interlocked.Exchange(ref _defaultEntryCreated, 1) == 0 && !Directory.Exists(defaultEntry))
        {
            try
            {
                Directory.CreateDirectory(defaultEntry);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new TdxDeviceException($"{defaultEntry}: cannot create the configfs-tsm report entry: {ex.Message}", ex);
            }
        }

        for (var attempt = 0; attempt < _options.ProviderPollAttempts; attempt++)
        {
            if (File.Exists(Path.Combine(defaultEntry, "provider")))
            {
                break;
            }

            await Task.Delay(_options.ProviderPollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }

        CheckProvider(defaultEntry);
        return defaultEntry;
    }

    private async Task<byte[]> GetQuoteFromEntryAsync(string entry, ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        var generationPath = Path.Combine(entry, "generation");
        var inblob = Path.Combine(entry, "inblob");
        var outblob = Path.Combine(entry, "outblob");

        var gen1 = ReadGeneration(generationPath);
        await WithBusyRetryAsync(inblob, "write", () =>
        {
            using var handle = File.OpenHandle(inblob, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            RandomAccess.Write(handle, reportData.Span, 0);
            return 0;
        }, cancellationToken).ConfigureAwait(false);

        var time = _options.TimeProvider;
        var started = time.GetTimestamp();
        var gen2 = ReadGeneration(generationPath);
        while (gen2 == gen1)
        {
            if (time.GetElapsedTime(started) >= _options.GenerationTimeout)
            {
                throw new TdxDeviceException(
                    $"{generationPath}: generation did not advance from {gen1} within {_options.GenerationTimeout.TotalMilliseconds} ms after writing inblob");
            }

            await Task.Delay(_options.GenerationPollInterval, time, cancellationToken).ConfigureAwait(false);
            gen2 = ReadGeneration(generationPath);
        }

        if (gen2 != gen1 + 1)
        {
            throw new TdxDeviceException(
                $"{generationPath}: generation jumped from {gen1} to {gen2}; another writer is using the report entry (busy)");
        }

        var buffer = new byte[QuoteBufferSize];
        var length = await WithBusyRetryAsync(outblob, "read", () =>
        {
            using var handle = File.OpenHandle(outblob, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return RandomAccess.Read(handle, buffer, 0);
        }, cancellationToken).ConfigureAwait(false);
        if (length == 0)
        {
            throw new TdxDeviceException($"{outblob}: read returned no quote data");
        }

        var gen3 = ReadGeneration(generationPath);
        if (gen3 != gen2)
        {
            throw new TdxDeviceException(
                $"{generationPath}: generation changed from {gen2} to {gen3} while reading outblob; the quote may belong to another request");
        }

        if (length <= MinQuoteSize || length >= QuoteBufferSize)
        {
            throw new TdxDeviceException(
                $"{outblob}: quote of {length} bytes is out of range (must be more than {MinQuoteSize} and less than {QuoteBufferSize})");
        }

        return buffer[..length];
    }

    private async Task<int> WithBusyRetryAsync(string path, string operation, Func<int> action, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return action();
            }
            catch (IOException ex) when (ex.HResult is Ebusy or Eintr or Etimedout && attempt < _options.BusyAttempts)
            {
                await Task.Delay(_options.BusyRetryDelay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new TdxDeviceException($"{path}: {operation} failed (attempt {attempt}): {ex.Message}", ex);
            }
        }
    }

    private string? ResolveRtmrDirectory()
    {
        var overridePath = _options.GetEnvironmentVariable(LinuxTdxDeviceOptions.RtmrSysfsPathVariable);
        if (overridePath is not null)
        {
            var directory = CheckOverride(LinuxTdxDeviceOptions.RtmrSysfsPathVariable, overridePath, checkLength: true);
            return Directory.Exists(directory)
                ? directory
                : throw new TdxDeviceException($"{LinuxTdxDeviceOptions.RtmrSysfsPathVariable}={directory}: not a directory");
        }

        return Directory.Exists(_options.RtmrSysfsPath) ? _options.RtmrSysfsPath : null;
    }

    private static Task ExtendThroughSysfsAsync(string directory, int index, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"rtmr{index}:sha384"));
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            RandomAccess.Write(handle, digest.Span, 0);
        }
        catch (IOException ex) when (ex.HResult == Einval)
        {
            throw new TdxDeviceException($"{path}: invalid RTMR index {index} (EINVAL)", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new TdxDeviceException($"{path}: permission denied extending RTMR{index}", ex);
        }
        catch (IOException ex)
        {
            throw new TdxDeviceException($"{path}: extending RTMR{index} failed: {ex.Message}", ex);
        }

        return Task.CompletedTask;
    }

    private static string CheckOverride(string variable, string value, bool checkLength)
    {
        if (value.Length == 0 || !Path.IsPathFullyQualified(value))
        {
            throw new TdxDeviceException($"{variable}='{value}': must be a non-empty absolute path");
        }

        if (checkLength && value.Length >= MaxOverridePathLength)
        {
            throw new TdxDeviceException($"{variable}: path of {value.Length} characters is too long (must be under {MaxOverridePathLength})");
        }

        return value;
    }

    private static void CheckProvider(string entry)
    {
        var provider = ReadProvider(entry)
            ?? throw new TdxDeviceException($"{Path.Combine(entry, "provider")}: provider attribute not found");
        if (!IsTdxProvider(provider))
        {
            throw new TdxDeviceException($"{Path.Combine(entry, "provider")}: provider is '{provider}', expected 'tdx_guest'");
        }
    }

    private static string? ReadProvider(string entry)
    {
        try
        {
            return File.ReadAllText(Path.Combine(entry, "provider")).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsTdxProvider(string provider) => provider.StartsWith("tdx_guest", StringComparison.Ordinal);

    private static long ReadGeneration(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TdxDeviceException($"{path}: cannot read generation: {ex.Message}", ex);
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new TdxDeviceException($"{path}: generation '{text}' is not a decimal number");
    }

    private static SafeFileHandle OpenDevice(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TdxDeviceException($"{path}: cannot open: {ex.Message}", ex);
        }
    }

    private static void CheckReportData(ReadOnlyMemory<byte> reportData)
    {
        if (reportData.Length != ITdxDevice.ReportDataSize)
        {
            throw new TdxDeviceException($"report data must be exactly {ITdxDevice.ReportDataSize} bytes, got {reportData.Length}");
        }
    }
}
