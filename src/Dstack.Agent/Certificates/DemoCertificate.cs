using System.Security.Cryptography;
using Dstack.Agent.Api;
using Dstack.Crypto.Kdf;

namespace Dstack.Agent.Certificates;

/// <summary>
/// <c>Info.app_cert</c> (spec §4.4): a certificate for a fresh P-256 key, subject <c>demo-cert</c>, clientAuth only,
/// RA-TLS attestation included, default validity. Issued on the first <c>Info</c> that finds it missing and kept;
/// <c>""</c> while issuance fails (for example when no app CA is available).
/// </summary>
internal sealed class DemoCertificate(CertificateService certificates) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _chain;

    /// <summary>The chain PEMs joined with a newline, or <c>""</c>.</summary>
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_chain is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_chain is null)
            {
                var key = DstackKdf.NewRandomP256PrivateKey();
                try
                {
                    var response = await certificates.IssueAsync(key, new LeafCertificateRequest
                    {
                        Subject = "demo-cert",
                        UsageRaTls = true,
                        UsageClientAuth = true,
                    }, cancellationToken).ConfigureAwait(false);
                    _chain = string.Join("\n", response.CertificateChain);
                }
                catch (RpcException)
                {
                    return "";
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(key);
                }
            }

            return _chain;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();
}
