namespace Dstack.Gov.Agent;

/// <summary>The identity fields of the agent's <c>Info</c> answer that <c>verify</c> compares with the chain (hex as sent).</summary>
/// <param name="AppId">The measured app id (20 bytes).</param>
/// <param name="ComposeHash">The measured compose hash (32 bytes), or null if absent.</param>
/// <param name="OsImageHash">The OS image hash, or null.</param>
/// <param name="DeviceId">The device id, or null.</param>
internal sealed record AgentInfo(byte[] AppId, byte[]? ComposeHash, byte[]? OsImageHash, byte[]? DeviceId);
