using System.Security.Cryptography;
using Dstack.Agent.Api;
using Dstack.Agent.Identity;
using Dstack.Agent.Platform;
using Dstack.Agent.Rpc;
using Dstack.Attestation.Csr;
using Dstack.Attestation.EventLog;
using Dstack.Crypto.Encodings;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.ReportData;

namespace Dstack.Agent.Certificates;

/// <summary>
/// Issues leaf certificates for P-256 keys (spec §4.2, §4.3). With a local app CA (key providers None/Local/Tpm): when
/// RA-TLS or app info is asked for, a quote over <c>SHA-512("ratls-cert:" ‖ SPKI)</c> is taken first and embedded
/// (lite-stripped) and/or summarised; the chain is <c>[leaf, app CA]</c>. With a KMS key provider: the attestation over
/// the same report data goes into a CSR V2 that the KMS signs; the chain is <c>[leaf, app CA, KMS root CA]</c>.
/// Returns the key as dstack's exact PKCS#8 PEM.
/// </summary>
internal sealed class CertificateService(IAppKeysSource keys, QuoteService quotes, IAppIdentitySource identity, KmsCertificateSigner kmsSigner, TimeProvider timeProvider)
{
    /// <summary>The error text for an inverted validity window (dstack's wording).</summary>
    public const string ValidityOrderError = "not_before must be earlier than not_after";

    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>Issues a certificate for <paramref name="privateKey"/> (a P-256 scalar, zeroed by the caller).</summary>
    public async Task<GetTlsKeyResponse> IssueAsync(byte[] privateKey, LeafCertificateRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(request);
        var notBefore = ToTime("not_before", request.NotBefore);
        var notAfter = ToTime("not_after", request.NotAfter);
        if (notBefore is { } nb && notAfter is { } na && nb >= na)
        {
            throw new RpcException(ValidityOrderError);
        }

        var appKeys = await keys.GetAsync(cancellationToken).ConfigureAwait(false);
        var spki = P256KeyEncoding.SubjectPublicKeyInfoOf(privateKey);
        if (appKeys.CertificateAuthority is null && appKeys.Kms is { } kms)
        {
            return await IssueWithKmsAsync(kms, privateKey, spki, request, cancellationToken).ConfigureAwait(false);
        }

        var authority = appKeys.RequireCertificateAuthority();
        ReadOnlyMemory<byte>? attestationExtension = null;
        ReadOnlyMemory<byte>? appInfoExtension = null;
        if (request.UsageRaTls || request.WithAppInfo)
        {
            var attestation = await quotes.AttestAsync(QuoteReportData.ForRaTlsCertificate(spki), cancellationToken).ConfigureAwait(false);
            var vmConfig = (await identity.GetAsync(cancellationToken).ConfigureAwait(false)).VmConfig;
            if (request.UsageRaTls)
            {
                attestationExtension = AttestationEncoding.ForCertificate(attestation, vmConfig);
            }

            if (request.WithAppInfo)
            {
                appInfoExtension = AppInfoExtension.Encode(attestation.Measurements, attestation.RuntimeEvents, vmConfig);
            }
        }

        var options = new RaTlsCertificateOptions
        {
            Subject = request.Subject,
            AltNames = request.AltNames,
            UsageServerAuth = request.UsageServerAuth,
            UsageClientAuth = request.UsageClientAuth,
            NotBefore = notBefore,
            NotAfter = notAfter,
            AppInfo = appInfoExtension,
            Attestation = attestationExtension,
        };
        using var caKey = authority.CreateKey();
        using var leaf = new RaTlsCertificateBuilder(timeProvider).Issue(spki, options, authority.Certificate.SubjectName, caKey);
        var response = new GetTlsKeyResponse { Key = P256KeyEncoding.ToPkcs8Pem(privateKey) };
        response.CertificateChain.Add(new string(PemEncoding.Write("CERTIFICATE", leaf.RawData)) + "\n");
        response.CertificateChain.Add(authority.CertificatePem);
        return response;
    }

    private async Task<GetTlsKeyResponse> IssueWithKmsAsync(KmsCertificateAuthority kms, byte[] privateKey, byte[] spki, LeafCertificateRequest request, CancellationToken cancellationToken)
    {
        var attestation = await quotes.AttestAsync(QuoteReportData.ForRaTlsCertificate(spki), cancellationToken).ConfigureAwait(false);
        var vmConfig = (await identity.GetAsync(cancellationToken).ConfigureAwait(false)).VmConfig;
        var csr = new CertSigningRequestV2
        {
            PublicKey = spki,
            Config = new CertConfigV2
            {
                Subject = request.Subject,
                SubjectAltNames = request.AltNames,
                UsageServerAuth = request.UsageServerAuth,
                UsageClientAuth = request.UsageClientAuth,
                ExtQuote = request.UsageRaTls,
                ExtAppInfo = request.WithAppInfo,
                NotBefore = request.NotBefore,
                NotAfter = request.NotAfter,
            },
            Attestation = AttestationEncoding.Full(attestation, vmConfig),
        };
        using var key = P256KeyEncoding.CreateECDsa(privateKey);
        var chain = await kmsSigner.SignAsync(kms, csr, key, vmConfig, cancellationToken).ConfigureAwait(false);
        var response = new GetTlsKeyResponse { Key = P256KeyEncoding.ToPkcs8Pem(privateKey) };
        response.CertificateChain.Add(chain);
        return response;
    }

    private static DateTimeOffset? ToTime(string field, ulong? seconds)
    {
        if (seconds is not { } value)
        {
            return null;
        }

        return value <= (ulong)MaxUnixSeconds
            ? DateTimeOffset.FromUnixTimeSeconds((long)value)
            : throw new RpcException($"{field}: {value} is past the last representable time ({MaxUnixSeconds})");
    }
}
