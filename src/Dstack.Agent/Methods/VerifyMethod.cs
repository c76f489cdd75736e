using Dstack.Agent.Rpc;
using Dstack.Crypto.Keys;
using Dstack.Crypto.Secp256k1;

namespace Dstack.Agent.Methods;

/// <summary><c>Verify</c>: checks a signature; malformed keys or signatures are errors, wrong signatures are <c>valid: false</c> (spec §2.7).</summary>
internal sealed class VerifyMethod(ISecp256k1 secp256k1) : RpcMethod<VerifyRequest, VerifyResponse>
{
    /// <inheritdoc />
    public override string Name => "Verify";

    /// <inheritdoc />
    protected override Task<VerifyResponse> InvokeAsync(VerifyRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new VerifyResponse
        {
            Valid = AppKeyService.Verify(secp256k1, request.Algorithm, request.Data.Span, request.Signature.Span, request.PublicKey.Span),
        });
}
