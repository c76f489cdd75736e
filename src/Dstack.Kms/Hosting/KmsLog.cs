using Dstack.Kms.Authentication;
using Dstack.Kms.Keys;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Hosting;

/// <summary>The KMS's log messages (source-generated). Never log key material: only public keys, fingerprints and ids.</summary>
internal static partial class KmsLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Generated new root keys in {Directory}: root CA SPKI sha256 {CaFingerprint}, k256 root public key {K256PublicKey}")]
    private static partial void KeysGeneratedCore(ILogger logger, string directory, string caFingerprint, string k256PublicKey);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Loaded root keys from {Directory}: root CA SPKI sha256 {CaFingerprint}, k256 root public key {K256PublicKey}")]
    private static partial void KeysLoadedCore(ILogger logger, string directory, string caFingerprint, string k256PublicKey);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Trusting DCAP root '{TrustRoot}' (SPKI sha256 {Fingerprint}); policy {Policy}")]
    public static partial void TrustConfigured(ILogger logger, string trustRoot, string fingerprint, string policy);

    [LoggerMessage(EventId = 4, Level = LogLevel.Critical, Message = "KMS start-up failed: {Reason}")]
    public static partial void StartupFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "No root keys in {Directory}: onboarding from the source KMS {SourceUrl}")]
    public static partial void OnboardingStarted(ILogger logger, string directory, string sourceUrl);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Onboarding from {SourceUrl}, attempt {Attempt} failed, retrying in {Delay}: {Reason}")]
    public static partial void OnboardingRetry(ILogger logger, string sourceUrl, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Onboarded from {SourceUrl}: root CA SPKI sha256 {CaFingerprint}, k256 root public key {K256PublicKey}")]
    private static partial void OnboardedCore(ILogger logger, string sourceUrl, string caFingerprint, string k256PublicKey);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Policy file {Path} loaded ({AppCount} apps, {OsImageCount} OS images)")]
    public static partial void PolicyFileLoaded(ILogger logger, string path, int appCount, int osImageCount);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Policy file {Path} is invalid, keeping the previous policy: {Reason}")]
    public static partial void PolicyFileRejected(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Policy file {Path} cannot be read, keeping the previous policy: {Reason}")]
    public static partial void PolicyFileUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Policy file {Path} is not watched for changes ({Reason}); a change is picked up by the next decision or periodic check")]
    public static partial void PolicyFileNotWatched(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Auth webhook {Url} failed, denying: {Reason}")]
    public static partial void WebhookFailed(ILogger logger, string url, string reason);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "{Method}: released keys to app {AppId} instance {InstanceId} (compose {ComposeHash}, TCB status {TcbStatus}, advisories [{AdvisoryIds}])")]
    private static partial void KeysReleasedCore(ILogger logger, string method, string appId, string instanceId, string composeHash, string tcbStatus, string advisoryIds);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "{Method} refused ({Kind}): {Reason}")]
    private static partial void CallRefusedCore(ILogger logger, string method, string kind, string reason);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "GetKmsKey: released the root keys to KMS app {AppId} (mrAggregated {MrAggregated}, device {DeviceId})")]
    private static partial void RootKeysReleasedCore(ILogger logger, string appId, string mrAggregated, string deviceId);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "SignCert: issued a certificate for app {AppId} subject '{Subject}'")]
    private static partial void CertificateIssuedCore(ILogger logger, string appId, string subject);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Self-authorization: this KMS is allowed by its policy (app {AppId}, mrAggregated {MrAggregated}, device {DeviceId}, os image {OsImageHash}); serving key releases")]
    private static partial void SelfAuthorizedCore(ILogger logger, string appId, string mrAggregated, string deviceId, string osImageHash);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Self-authorization: this KMS is not allowed ({Status}), refusing every key release: {Reason} (app {AppId}, mrAggregated {MrAggregated}, device {DeviceId}, os image {OsImageHash})")]
    private static partial void SelfAuthorizationFailedCore(ILogger logger, string status, string reason, string appId, string mrAggregated, string deviceId, string osImageHash);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "Self-authorization is off (Policy:EnforceSelfAuthorization = false): keys are released without checking that the policy allows this KMS")]
    public static partial void SelfAuthorizationDisabled(ILogger logger);

#pragma warning disable CA1873 // every hex formatting below is guarded by IsEnabled
    /// <summary>Logs that the policy allows this KMS.</summary>
    public static void SelfAuthorized(ILogger logger, BootInfo self)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            SelfAuthorizedCore(logger, BootInfo.Hex(self.AppId), BootInfo.Hex(self.MrAggregated), BootInfo.Hex(self.DeviceId), BootInfo.Hex(self.OsImageHash));
        }
    }

    /// <summary>Logs that this KMS is not allowed (its identity when its attestation verified).</summary>
    public static void SelfAuthorizationFailed(ILogger logger, string status, string reason, BootInfo? self)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            SelfAuthorizationFailedCore(
                logger, status, reason,
                self is null ? "?" : BootInfo.Hex(self.AppId),
                self is null ? "?" : BootInfo.Hex(self.MrAggregated),
                self is null ? "?" : BootInfo.Hex(self.DeviceId),
                self is null ? "?" : BootInfo.Hex(self.OsImageHash));
        }
    }

    /// <summary>Logs freshly generated keys by their public fingerprints.</summary>
    public static void KeysGenerated(ILogger logger, string directory, KmsRootKeys keys)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            KeysGeneratedCore(logger, directory, keys.CaFingerprint, Convert.ToHexStringLower(keys.K256PublicKey));
        }
    }

    /// <summary>Logs keys obtained from a source KMS by their public fingerprints.</summary>
    public static void Onboarded(ILogger logger, string sourceUrl, KmsRootKeys keys)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            OnboardedCore(logger, sourceUrl, keys.CaFingerprint, Convert.ToHexStringLower(keys.K256PublicKey));
        }
    }

    /// <summary>Logs loaded keys by their public fingerprints.</summary>
    public static void KeysLoaded(ILogger logger, string directory, KmsRootKeys keys)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            KeysLoadedCore(logger, directory, keys.CaFingerprint, Convert.ToHexStringLower(keys.K256PublicKey));
        }
    }

    /// <summary>Logs a key release by the caller's public identity.</summary>
    public static void KeysReleased(ILogger logger, string method, BootInfo bootInfo)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            KeysReleasedCore(logger, method, BootInfo.Hex(bootInfo.AppId), BootInfo.Hex(bootInfo.InstanceId), BootInfo.Hex(bootInfo.ComposeHash), bootInfo.TcbStatus, string.Join(", ", bootInfo.AdvisoryIds));
        }
    }

    /// <summary>Logs a root-key release to a peer KMS.</summary>
    public static void RootKeysReleased(ILogger logger, BootInfo bootInfo)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            RootKeysReleasedCore(logger, BootInfo.Hex(bootInfo.AppId), BootInfo.Hex(bootInfo.MrAggregated), BootInfo.Hex(bootInfo.DeviceId));
        }
    }

    /// <summary>Logs an issued certificate.</summary>
    public static void CertificateIssued(ILogger logger, BootInfo bootInfo, string subject)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            CertificateIssuedCore(logger, BootInfo.Hex(bootInfo.AppId), subject);
        }
    }

    /// <summary>Logs a refusal.</summary>
    public static void CallRefused(ILogger logger, string method, Service.KmsRefusal refusal)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            CallRefusedCore(logger, method, refusal.Kind.ToString(), refusal.Reason);
        }
    }
#pragma warning restore CA1873
}
