using Dstack.Agent.Identity;
using Dstack.Agent.Rpc;
using Google.Protobuf;

namespace Dstack.Agent.Methods;

/// <summary>Legacy <c>Tappd.DeriveK256Key</c>: the same values as <c>GetKey</c> under the old field names.</summary>
internal sealed class DeriveK256KeyMethod(IAppKeysSource keys) : RpcMethod<GetKeyArgs, DeriveK256KeyResponse>
{
    private static readonly RpcService[] TappdOnly = [RpcService.Tappd];

    /// <inheritdoc />
    public override string Name => "DeriveK256Key";

    /// <inheritdoc />
    public override IReadOnlyList<RpcService> Services => TappdOnly;

    /// <inheritdoc />
    protected override async Task<DeriveK256KeyResponse> InvokeAsync(GetKeyArgs request, CancellationToken cancellationToken)
    {
        var service = (await keys.GetAsync(cancellationToken).ConfigureAwait(false)).KeyService;
        var result = service.GetKey(request.Path, request.Purpose, request.Algorithm);
        var response = new DeriveK256KeyResponse { K256Key = ByteString.CopyFrom(result.Key.Span) };
        response.K256SignatureChain.AddRange(result.SignatureChain.Select(s => ByteString.CopyFrom(s.Span)));
        return response;
    }
}
