using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Boot;

/// <summary>The boot sequence's log messages (source-generated). Key material is never logged; env values neither.</summary>
internal static partial class BootLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Boot: app id {AppId}, compose hash {ComposeHash}, instance id {InstanceId}, key provider {KeyProvider}")]
    public static partial void Identity(ILogger logger, string appId, string composeHash, string instanceId, string keyProvider);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Measured {Event} into RTMR3 ({Length} payload bytes)")]
    public static partial void EventEmitted(ILogger logger, string @event, int length);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "{Event} is already measured (earlier attempt); not extended again")]
    public static partial void EventAlreadyMeasured(ILogger logger, string @event);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "KMS {Url}: {Step} failed: {Error}")]
    public static partial void KmsAttemptFailed(ILogger logger, string url, string step, string error);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "No KMS gave app keys on pass {Pass}; retrying in {Delay}")]
    public static partial void KmsRetrying(ILogger logger, int pass, TimeSpan delay);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "KMS {Url} released the app keys (KMS root CA key {CaId})")]
    public static partial void KmsKeysReceived(ILogger logger, string url, string caId);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Encrypted env: dropped variables not in allowed_envs: {Names}")]
    public static partial void EnvDropped(ILogger logger, string names);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "Encrypted env: {Count} variables written")]
    public static partial void EnvWritten(ILogger logger, int count);

    [LoggerMessage(EventId = 108, Level = LogLevel.Information, Message = "Storage: {Command} prepared the data disk ({Fs}, encrypted {Encrypted})")]
    public static partial void StorageDone(ILogger logger, string command, string fs, bool encrypted);

    [LoggerMessage(EventId = 109, Level = LogLevel.Information, Message = "Storage: no command configured, data disk step skipped ({Fs})")]
    public static partial void StorageSkipped(ILogger logger, string fs);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Boot: already complete (system-ready measured, {Path} present)")]
    public static partial void AlreadyBooted(ILogger logger, string path);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Boot complete: {Emitted} events measured by this run, app keys in {Path}")]
    public static partial void Completed(ILogger logger, int emitted, string path);

    [LoggerMessage(EventId = 112, Level = LogLevel.Error, Message = "Boot failed: {Error}")]
    public static partial void Failed(ILogger logger, string error);
}
