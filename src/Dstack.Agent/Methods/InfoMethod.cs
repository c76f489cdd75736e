using System.Security.Cryptography;
using Dstack.Agent.Identity;
using Dstack.Agent.Rpc;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Dstack.Agent.Methods;

/// <summary>
/// <c>Info</c> (DstackGuest and Tappd, identical output): the app identity from <see cref="IAppIdentitySource"/>.
/// <c>device_id</c> is SHA-256 of the empty string on TDX (the agent cannot see its own PPID).
/// </summary>
internal sealed class InfoMethod(IAppIdentitySource identitySource) : RpcMethod<Empty, AppInfo>
{
    private static readonly RpcService[] Both = [RpcService.DstackGuest, RpcService.Tappd];
    private static readonly ByteString TdxDeviceId = ByteString.CopyFrom(SHA256.HashData([]));

    /// <inheritdoc />
    public override string Name => "Info";

    /// <inheritdoc />
    public override IReadOnlyList<RpcService> Services => Both;

    /// <inheritdoc />
    protected override async Task<AppInfo> InvokeAsync(Empty request, CancellationToken cancellationToken)
    {
        var identity = await identitySource.GetAsync(cancellationToken).ConfigureAwait(false);
        return new AppInfo
        {
            AppId = ByteString.CopyFrom(identity.AppId),
            InstanceId = ByteString.CopyFrom(identity.InstanceId),
            AppCert = "",
            TcbInfo = "",
            AppName = identity.AppName,
            DeviceId = TdxDeviceId,
            MrAggregated = ByteString.Empty,
            OsImageHash = ByteString.CopyFrom(identity.OsImageHash),
            KeyProviderInfo = identity.KeyProviderInfo,
            ComposeHash = ByteString.CopyFrom(identity.ComposeHash),
            VmConfig = identity.VmConfig,
            CloudVendor = identity.CloudVendor,
            CloudProduct = identity.CloudProduct,
        };
    }
}
