using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Agent.Api;
using Dstack.Agent.Boot;
using Dstack.Agent.Configuration;
using Dstack.Agent.Identity;
using Dstack.Attestation.Csr;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using SignCertRequest = Dstack.Rpc.Kms.SignCertRequest;

namespace Dstack.Agent.Certificates;

/// <summary>
/// Has the KMS sign a certificate (spec §4.2 step 4, kms.md <c>SignCert</c>): the CSR V2 encoded and signed with the new
/// key, sent with <c>api_version 2</c> and the <c>vm_config</c> over gRPC + TLS (no client certificate) to the KMS URL
/// of the keys file, its server checked against the KMS root CA as the boot checks it, within the boot's KMS connect and
/// call timeouts. Any failure is a 400 error that names the KMS.
/// </summary>
internal sealed class KmsCertificateSigner(IOptions<AgentOptions> options, TimeProvider timeProvider)
{
    /// <summary>Signs <paramref name="csr"/> with <paramref name="key"/> and returns the chain <c>[leaf, app CA, root CA]</c>.</summary>
    public async Task<IReadOnlyList<string>> SignAsync(KmsCertificateAuthority kms, CertSigningRequestV2 csr, ECDsa key, string vmConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kms);
        ArgumentNullException.ThrowIfNull(csr);
        var (encoded, signature) = csr.EncodeAndSign(key);
        var request = new SignCertRequest
        {
            ApiVersion = 2,
            Csr = ByteString.CopyFrom(encoded),
            Signature = ByteString.CopyFrom(signature),
            VmConfig = vmConfig,
        };
        IReadOnlyList<string> chain;
        try
        {
            var rpc = KmsRpc.From(options.Value.Boot, timeProvider);
            var response = await rpc.CallAsync(kms.Url, KmsRpc.ParseUrl(kms.Url), "SignCert", kms.RootCa, null,
                (client, deadline) => client.SignCertAsync(request, deadline, cancellationToken)).ConfigureAwait(false);
            chain = [.. response.CertificateChain];
        }
        catch (KmsAttemptException ex)
        {
            throw new RpcException("cannot issue certificates: " + ex.Message, ex);
        }

        CheckLeaf(kms.Url, chain, csr.PublicKey);
        return chain;
    }

    private static void CheckLeaf(string url, IReadOnlyList<string> chain, byte[] publicKey)
    {
        string? problem;
        if (chain.Count == 0)
        {
            problem = "the KMS returned no certificate";
        }
        else
        {
            try
            {
                using var leaf = X509Certificate2.CreateFromPem(chain[0]);
                problem = leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(publicKey)
                    ? null
                    : "the KMS returned a certificate for another key";
            }
            catch (CryptographicException)
            {
                problem = "the KMS returned a leaf that is not a PEM certificate";
            }
        }

        if (problem is not null)
        {
            throw new RpcException($"cannot issue certificates: KMS {url}: SignCert: {problem}");
        }
    }
}
