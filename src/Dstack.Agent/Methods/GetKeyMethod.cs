using Dstack.Agent.Identity;
using Dstack.Agent.Rpc;
using Google.Protobuf;

namespace Dstack.Agent.Methods;

/// <summary><c>GetKey</c>: the key derived from the app root key for <c>path</c>, with its two-element signature chain (spec §2.1, §3).</summary>
internal sealed class GetKeyMethod(IAppKeysSource keys) : RpcMethod<GetKeyArgs, GetKeyResponse>
{
    /// <inheritdoc />
    public override string Name => "GetKey";

    /// <inheritdoc />
    protected override async Task<GetKeyResponse> InvokeAsync(GetKeyArgs request, CancellationToken cancellationToken)
    {
        var service = (await keys.GetAsync(cancellationToken).ConfigureAwait(false)).KeyService;
        var result = service.GetKey(request.Path, request.Purpose, request.Algorithm);
        var response = new GetKeyResponse { Key = ByteString.CopyFrom(result.Key.Span) };
        response.SignatureChain.AddRange(result.SignatureChain.Select(s => ByteString.CopyFrom(s.Span)));
        return response;
    }
}
