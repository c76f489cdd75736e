using Dstack.Ethereum;
using Dstack.Ethereum.Contracts;
using Dstack.Kms.Authentication;

namespace Dstack.Kms.Policies;

/// <summary>
/// Maps the verified <see cref="BootInfo"/> onto the contracts' <c>AppBootInfo</c> tuple (kms.md §5.1, §5.5):
/// <c>(address appId, bytes32 composeHash, address instanceId, bytes32 deviceId, bytes32 mrAggregated,
/// bytes32 mrSystem, bytes32 osImageHash, string tcbStatus, string[] advisoryIds)</c>. Nothing is padded or truncated:
/// a field of the wrong length cannot be expressed in the tuple, and the caller is refused (as the reference auth-eth
/// refuses when the ABI encoder rejects it). Only an empty instance id maps to the zero address.
/// </summary>
internal static class OnChainBootInfo
{
    /// <summary>Maps <paramref name="bootInfo"/>, or says which field does not fit.</summary>
    public static bool TryMap(BootInfo bootInfo, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AppBootInfo? tuple, out string problem)
    {
        ArgumentNullException.ThrowIfNull(bootInfo);
        tuple = null;
        problem = Check(bootInfo.AppId, 20, "app id")
            ?? (bootInfo.InstanceId.Length == 0 ? null : Check(bootInfo.InstanceId, 20, "instance id"))
            ?? Check(bootInfo.ComposeHash, 32, "compose hash")
            ?? Check(bootInfo.DeviceId, 32, "device id")
            ?? Check(bootInfo.MrAggregated, 32, "mrAggregated")
            ?? Check(bootInfo.MrSystem, 32, "mrSystem")
            ?? Check(bootInfo.OsImageHash, 32, "OS image hash")
            ?? string.Empty;
        if (problem.Length > 0)
        {
            return false;
        }

        tuple = new AppBootInfo
        {
            AppId = new EvmAddress(bootInfo.AppId),
            ComposeHash = [.. bootInfo.ComposeHash],
            InstanceId = bootInfo.InstanceId.Length == 0 ? EvmAddress.Zero : new EvmAddress(bootInfo.InstanceId),
            DeviceId = [.. bootInfo.DeviceId],
            MrAggregated = [.. bootInfo.MrAggregated],
            MrSystem = [.. bootInfo.MrSystem],
            OsImageHash = [.. bootInfo.OsImageHash],
            TcbStatus = bootInfo.TcbStatus,
            AdvisoryIds = [.. bootInfo.AdvisoryIds],
        };
        return true;
    }

    private static string? Check(byte[] value, int length, string name) =>
        value.Length == length ? null : $"the {name} must be {length} bytes for the on-chain policy, got {value.Length}";
}
