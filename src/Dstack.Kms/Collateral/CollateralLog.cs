using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Collateral;

/// <summary>Log messages of the collateral cache (event ids 100–109).</summary>
internal static partial class CollateralLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Collateral for {Key} fetched from {Url}: valid {From:O} .. {Until:O}, TCB evaluation data number {EvaluationNumber}")]
    public static partial void Fetched(ILogger logger, Dstack.Attestation.Dcap.Pccs.CollateralKey key, string url, DateTimeOffset from, DateTimeOffset until, long evaluationNumber);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Collateral for {Key} could not be fetched: {Reason} (a valid cached copy is still used: {UsingCache})")]
    public static partial void FetchFailed(ILogger logger, Dstack.Attestation.Dcap.Pccs.CollateralKey key, string reason, bool usingCache);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Collateral for {Key} is not valid now (valid {From:O} .. {Until:O}); it is not cached")]
    public static partial void NotValidNow(ILogger logger, Dstack.Attestation.Dcap.Pccs.CollateralKey key, DateTimeOffset from, DateTimeOffset until);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Collateral refresh for {Key} refused: TCB evaluation data number {Fetched} is older than the cached {Cached}")]
    public static partial void RollbackRefused(ILogger logger, Dstack.Attestation.Dcap.Pccs.CollateralKey key, long cached, long fetched);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Cached collateral file {Path} cannot be used and is deleted: {Reason}")]
    public static partial void CacheCorrupt(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Cached collateral file {Path} expired at {Until:O} and is deleted")]
    public static partial void CachedExpired(ILogger logger, string path, DateTimeOffset until);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Collateral cache file {Path} could not be written: {Reason}")]
    public static partial void CacheWriteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "Collateral source: {Source}; collateral required: {Required}; cache directory: {CacheDirectory}")]
    public static partial void Configured(ILogger logger, string source, bool required, string cacheDirectory);

    [LoggerMessage(EventId = 108, Level = LogLevel.Error, Message = "Collateral refresh failed unexpectedly")]
    public static partial void RefreshCrashed(ILogger logger, Exception exception);
}
