using System.Security.Cryptography;
using Dstack.Kms.Authentication;
using Dstack.Kms.Hosting;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Policies;

/// <summary>
/// The operator-managed allow-list ("cloud KMS"): a JSON policy file re-read on every decision (a changed file takes
/// effect on the next call). A malformed or unreadable file keeps the previous policy and logs why; at start the
/// file must be valid. Checks, in order: TCB status, advisories, OS image, then for apps the app id, compose hash and
/// device, and for KMS instances the aggregated measurement and device. The file is also watched, so that a change is
/// picked up (and announced through <see cref="PolicyChanged"/>) without waiting for the next decision.
/// </summary>
internal sealed class FilePolicy : IKmsPolicy, IPolicyChangeSource, IDisposable
{
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private PolicyDocument _current;
    private byte[] _currentHash;
    private FileSystemWatcher? _watcher;

    /// <summary>Loads <paramref name="path"/>.</summary>
    /// <exception cref="PolicyBackendException">The file is missing or invalid.</exception>
    public FilePolicy(string path, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = Path.GetFullPath(path);
        _logger = logger;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PolicyBackendException($"policy file {_path} cannot be read: {ex.Message}", ex);
        }

        try
        {
            _current = PolicyDocumentParser.Parse(bytes);
        }
        catch (FormatException ex)
        {
            throw new PolicyBackendException($"policy file {_path} is invalid: {ex.Message}", ex);
        }

        _currentHash = SHA256.HashData(bytes);
        KmsLog.PolicyFileLoaded(_logger, _path, _current.Apps.Count, _current.OsImages.Count);
        _watcher = Watch();
    }

    /// <inheritdoc />
    public event EventHandler? PolicyChanged;

    /// <summary>The policy in force (after picking up any change of the file).</summary>
    public PolicyDocument Current => Refresh();

    /// <inheritdoc />
    public Task<PolicyDecision> IsAppAllowedAsync(BootInfo bootInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bootInfo);
        var policy = Refresh();
        var gateway = policy.GatewayAppId;
        if (CheckCommon(policy, bootInfo) is { } common)
        {
            return Task.FromResult(PolicyDecision.Deny(common, gateway));
        }

        if (!policy.Apps.TryGetValue(BootInfo.Hex(bootInfo.AppId), out var app))
        {
            return Task.FromResult(PolicyDecision.Deny(PolicyReasons.AppNotRegistered, gateway));
        }

        if (!app.ComposeHashes.Contains(BootInfo.Hex(bootInfo.ComposeHash)))
        {
            return Task.FromResult(PolicyDecision.Deny(PolicyReasons.ComposeHashNotAllowed, gateway));
        }

        if (!app.AllowAnyDevice && !app.Devices.Contains(BootInfo.Hex(bootInfo.DeviceId)))
        {
            return Task.FromResult(PolicyDecision.Deny(PolicyReasons.DeviceNotAllowed, gateway));
        }

        return Task.FromResult(PolicyDecision.Allow(gateway));
    }

    /// <inheritdoc />
    public Task<PolicyDecision> IsKmsAllowedAsync(BootInfo bootInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bootInfo);
        var policy = Refresh();
        var gateway = policy.GatewayAppId;
        if (CheckCommon(policy, bootInfo) is { } common)
        {
            return Task.FromResult(PolicyDecision.Deny(common, gateway));
        }

        if (!policy.Kms.MrAggregated.Contains(BootInfo.Hex(bootInfo.MrAggregated)))
        {
            return Task.FromResult(PolicyDecision.Deny(PolicyReasons.AggregatedMrNotAllowed, gateway));
        }

        if (!policy.Kms.AllowAnyDevice && !policy.Kms.Devices.Contains(BootInfo.Hex(bootInfo.DeviceId)))
        {
            return Task.FromResult(PolicyDecision.Deny(PolicyReasons.KmsDeviceNotAllowed, gateway));
        }

        return Task.FromResult(PolicyDecision.Allow(gateway));
    }

    /// <inheritdoc />
    public Task<KmsPolicyInfo> GetInfoAsync(CancellationToken cancellationToken) => Task.FromResult(new KmsPolicyInfo(false, Refresh().GatewayAppId));

    private static string? CheckCommon(PolicyDocument policy, BootInfo bootInfo)
    {
        if (!policy.AllowedTcbStatuses.Contains(bootInfo.TcbStatus))
        {
            return $"{PolicyReasons.TcbStatusNotAllowed}: {bootInfo.TcbStatus}"
                + (bootInfo.AdvisoryIds.Count == 0 ? "" : " (advisories " + string.Join(", ", bootInfo.AdvisoryIds) + ")");
        }

        var advisories = bootInfo.AdvisoryIds.Where(id => !policy.AllowedAdvisoryIds.Contains(id)).ToList();
        if (advisories.Count > 0)
        {
            return $"{PolicyReasons.AdvisoryNotAllowed}: {string.Join(", ", advisories)}";
        }

        return policy.OsImages.Contains(BootInfo.Hex(bootInfo.OsImageHash)) ? null : PolicyReasons.OsImageNotAllowed;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _watcher?.Dispose();
        _watcher = null;
    }

    private FileSystemWatcher? Watch()
    {
        try
        {
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += OnFileEvent;
            watcher.Created += OnFileEvent;
            watcher.Renamed += OnFileEvent;
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // without a watcher a change is still picked up by the next decision or periodic check
            KmsLog.PolicyFileNotWatched(_logger, _path, ex.Message);
            return null;
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => Refresh();

    private PolicyDocument Refresh()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            KmsLog.PolicyFileUnreadable(_logger, _path, ex.Message);
            lock (_lock)
            {
                return _current;
            }
        }

        var hash = SHA256.HashData(bytes);
        PolicyDocument current;
        var changed = false;
        lock (_lock)
        {
            if (hash.AsSpan().SequenceEqual(_currentHash))
            {
                return _current;
            }

            try
            {
                _current = PolicyDocumentParser.Parse(bytes);
                changed = true;
                KmsLog.PolicyFileLoaded(_logger, _path, _current.Apps.Count, _current.OsImages.Count);
            }
            catch (FormatException ex)
            {
                KmsLog.PolicyFileRejected(_logger, _path, ex.Message);
            }

            // remember the rejected content too, so a bad file is reported once, not on every call
            _currentHash = hash;
            current = _current;
        }

        if (changed)
        {
            PolicyChanged?.Invoke(this, EventArgs.Empty);
        }

        return current;
    }
}
