namespace Dstack.Ethereum.Contracts;

/// <summary>
/// The <c>IAppAuth.AppBootInfo</c> tuple the KMS passes to <c>isAppAllowed</c>/<c>isKmsAllowed</c>. Field order is
/// ABI-significant: <c>(address,bytes32,address,bytes32,bytes32,bytes32,bytes32,string,string[])</c>.
/// </summary>
public sealed record AppBootInfo
{
    /// <summary>The app id (the DstackApp proxy address).</summary>
    public EvmAddress AppId { get; init; }

    /// <summary>The compose hash (32 bytes).</summary>
    public byte[] ComposeHash { get; init; } = new byte[32];

    /// <summary>The instance id; zero when the VM has none.</summary>
    public EvmAddress InstanceId { get; init; }

    /// <summary><c>sha256(PPID)</c> (32 bytes).</summary>
    public byte[] DeviceId { get; init; } = new byte[32];

    /// <summary>The aggregated measurement (32 bytes).</summary>
    public byte[] MrAggregated { get; init; } = new byte[32];

    /// <summary>The system measurement (32 bytes).</summary>
    public byte[] MrSystem { get; init; } = new byte[32];

    /// <summary>The OS image hash (32 bytes).</summary>
    public byte[] OsImageHash { get; init; } = new byte[32];

    /// <summary>The TCB status, e.g. <c>UpToDate</c>.</summary>
    public string TcbStatus { get; init; } = string.Empty;

    /// <summary>Intel security advisory ids.</summary>
    public IReadOnlyList<string> AdvisoryIds { get; init; } = [];

    /// <summary>The tuple value for the ABI encoder.</summary>
    /// <returns>Nine fields in ABI order.</returns>
    internal object?[] ToAbiValue() =>
    [
        AppId,
        Bytes32(ComposeHash, nameof(ComposeHash)),
        InstanceId,
        Bytes32(DeviceId, nameof(DeviceId)),
        Bytes32(MrAggregated, nameof(MrAggregated)),
        Bytes32(MrSystem, nameof(MrSystem)),
        Bytes32(OsImageHash, nameof(OsImageHash)),
        TcbStatus,
        AdvisoryIds.Cast<object?>().ToArray(),
    ];

    private static byte[] Bytes32(byte[] value, string name) =>
        value is { Length: 32 } ? value : throw new ArgumentException(name + " must be 32 bytes", name);
}
