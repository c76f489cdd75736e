using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Policies;

/// <summary>Log messages of <see cref="OnChainPolicy"/> (event ids 60–69). Identities and hashes only, never key material.</summary>
internal static partial class OnChainPolicyLog
{
    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "On-chain policy: DstackKms {Contract} on chain {ChainId}, reading at '{BlockTag}' through {UrlCount} RPC URL(s), timeout {TimeoutSeconds} s")]
    public static partial void Configured(ILogger logger, string contract, ulong chainId, string blockTag, int urlCount, int timeoutSeconds);

    [LoggerMessage(EventId = 61, Level = LogLevel.Information, Message = "On-chain {Check} at block {BlockNumber}: allowed {AppId} (compose {ComposeHash}, device {DeviceId}, mrAggregated {MrAggregated})")]
    public static partial void Allowed(ILogger logger, string check, ulong blockNumber, string appId, string composeHash, string deviceId, string mrAggregated);

    [LoggerMessage(EventId = 62, Level = LogLevel.Warning, Message = "On-chain {Check} at block {BlockNumber}: refused {AppId} (compose {ComposeHash}, device {DeviceId}, mrAggregated {MrAggregated}): {Reason}")]
    public static partial void Refused(ILogger logger, string check, ulong blockNumber, string appId, string composeHash, string deviceId, string mrAggregated, string reason);

    [LoggerMessage(EventId = 63, Level = LogLevel.Warning, Message = "On-chain {Check} for {AppId} failed, refusing with 'authorization backend unavailable': {Detail}")]
    public static partial void BackendFailed(ILogger logger, string check, string appId, string detail);

    [LoggerMessage(EventId = 64, Level = LogLevel.Warning, Message = "On-chain {Check} refused {AppId} before asking the chain: {Reason}")]
    public static partial void NotMappable(ILogger logger, string check, string appId, string reason);

    [LoggerMessage(EventId = 65, Level = LogLevel.Warning, Message = "On-chain policy: RPC URL #{Index} ({Host}) did not answer at start, it stays in the failover list: {Detail}")]
    public static partial void EndpointUnreachableAtStart(ILogger logger, int index, string host, string detail);

    [LoggerMessage(EventId = 66, Level = LogLevel.Information, Message = "On-chain policy: RPC URL #{Index} ({Host}) serves chain {ChainId}")]
    public static partial void EndpointChecked(ILogger logger, int index, string host, ulong chainId);
}
