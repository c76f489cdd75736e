using System.Security.Cryptography;
using Dstack.Agent.Certificates;
using Dstack.Agent.Rpc;
using Dstack.Crypto.Kdf;

namespace Dstack.Agent.Methods;

/// <summary>
/// <c>GetTlsKey</c> (spec §2.2, §4): a fresh random P-256 key and a certificate for it signed by the app CA, with every
/// option of the request (subject, alt names, usages, RA-TLS attestation, validity, app info).
/// </summary>
internal sealed class GetTlsKeyMethod(CertificateService certificates) : RpcMethod<GetTlsKeyArgs, GetTlsKeyResponse>
{
    /// <inheritdoc />
    public override string Name => "GetTlsKey";

    /// <inheritdoc />
    protected override async Task<GetTlsKeyResponse> InvokeAsync(GetTlsKeyArgs request, CancellationToken cancellationToken)
    {
        var key = DstackKdf.NewRandomP256PrivateKey();
        try
        {
            return await certificates.IssueAsync(key, new LeafCertificateRequest
            {
                Subject = request.Subject,
                AltNames = [.. request.AltNames],
                UsageRaTls = request.UsageRaTls,
                UsageServerAuth = request.UsageServerAuth,
                UsageClientAuth = request.UsageClientAuth,
                NotBefore = request.HasNotBefore ? request.NotBefore : null,
                NotAfter = request.HasNotAfter ? request.NotAfter : null,
                WithAppInfo = request.WithAppInfo,
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
