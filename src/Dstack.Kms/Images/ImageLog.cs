using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Images;

/// <summary>The OS-image bundle store's log messages (source-generated, event ids 80–89).</summary>
internal static partial class ImageLog
{
    /// <summary>A cached bundle re-validated and was used.</summary>
    [LoggerMessage(EventId = 80, Level = LogLevel.Debug, Message = "OS image {OsImageHash}: using the cached bundle in {Directory}")]
    public static partial void CacheHit(ILogger logger, string osImageHash, string directory);

    /// <summary>A download begins.</summary>
    [LoggerMessage(EventId = 81, Level = LogLevel.Information, Message = "OS image {OsImageHash}: downloading {Url}")]
    public static partial void DownloadStarted(ILogger logger, string osImageHash, string url);

    /// <summary>A download was verified and cached.</summary>
    [LoggerMessage(EventId = 82, Level = LogLevel.Information, Message = "OS image {OsImageHash}: downloaded {Bytes} bytes in {ElapsedMs} ms, verified and cached in {Directory}")]
    public static partial void DownloadFinished(ILogger logger, string osImageHash, long bytes, long elapsedMs, string directory);

    /// <summary>A cached bundle failed its re-validation and is fetched again.</summary>
    [LoggerMessage(EventId = 83, Level = LogLevel.Warning, Message = "OS image {OsImageHash}: the cached bundle in {Directory} is corrupt ({Reason}); deleted, downloading it again")]
    public static partial void CorruptCacheEntry(ILogger logger, string osImageHash, string directory, string reason);

    /// <summary>Obtaining a bundle failed.</summary>
    [LoggerMessage(EventId = 84, Level = LogLevel.Warning, Message = "OS image {OsImageHash}: {Reason}")]
    public static partial void Failed(ILogger logger, string osImageHash, string reason);
}
