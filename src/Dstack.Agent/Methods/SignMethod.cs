using Dstack.Agent.Identity;
using Dstack.Agent.Rpc;
using Google.Protobuf;

namespace Dstack.Agent.Methods;

/// <summary><c>Sign</c>: signs with the <c>GetKey("vms", "signing")</c> key (spec §2.6).</summary>
internal sealed class SignMethod(IAppKeysSource keys) : RpcMethod<SignRequest, SignResponse>
{
    /// <inheritdoc />
    public override string Name => "Sign";

    /// <inheritdoc />
    protected override async Task<SignResponse> InvokeAsync(SignRequest request, CancellationToken cancellationToken)
    {
        var service = (await keys.GetAsync(cancellationToken).ConfigureAwait(false)).KeyService;
        var result = service.Sign(request.Algorithm, request.Data.Span);
        var response = new SignResponse
        {
            Signature = ByteString.CopyFrom(result.Signature.Span),
            PublicKey = ByteString.CopyFrom(result.PublicKey.Span),
        };
        response.SignatureChain.AddRange(result.SignatureChain.Select(s => ByteString.CopyFrom(s.Span)));
        return response;
    }
}
