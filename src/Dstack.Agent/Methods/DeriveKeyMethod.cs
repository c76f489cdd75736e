using System.Security.Cryptography;
using Dstack.Agent.Certificates;
using Dstack.Agent.Identity;
using Dstack.Agent.Rpc;
using Dstack.Crypto.Keys;

namespace Dstack.Agent.Methods;

/// <summary>
/// Legacy <c>Tappd.DeriveKey</c> (spec §2.12): a P-256 key derived from the app root key and <c>path</c> (or, with
/// <c>random_seed</c>, from 32 fresh random bytes), with a certificate signed by the app CA (default validity, no app info).
/// </summary>
internal sealed class DeriveKeyMethod(IAppKeysSource keys, CertificateService certificates) : RpcMethod<DeriveKeyArgs, GetTlsKeyResponse>
{
    private static readonly RpcService[] TappdOnly = [RpcService.Tappd];

    /// <inheritdoc />
    public override string Name => "DeriveKey";

    /// <inheritdoc />
    public override IReadOnlyList<RpcService> Services => TappdOnly;

    /// <inheritdoc />
    protected override async Task<GetTlsKeyResponse> InvokeAsync(DeriveKeyArgs request, CancellationToken cancellationToken)
    {
        var key = request.RandomSeed
            ? AppKeyService.DeriveRandomP256Key(request.Path)
            : (await keys.GetAsync(cancellationToken).ConfigureAwait(false)).KeyService.DeriveP256Key(request.Path);
        try
        {
            return await certificates.IssueAsync(key, new LeafCertificateRequest
            {
                Subject = request.Subject,
                AltNames = [.. request.AltNames],
                UsageRaTls = request.UsageRaTls,
                UsageServerAuth = request.UsageServerAuth,
                UsageClientAuth = request.UsageClientAuth,
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
