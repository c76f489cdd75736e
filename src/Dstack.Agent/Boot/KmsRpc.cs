using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Dstack.Crypto.RaTls;
using Dstack.Rpc;
using Dstack.Rpc.Client;
using Dstack.Rpc.Kms;

namespace Dstack.Agent.Boot;

/// <summary>
/// How this agent talks to a KMS over gRPC + TLS, for the boot (<c>GetTempCaCert</c>, <c>GetAppKey</c>) and for
/// certificates (<c>SignCert</c>): a bounded connect, a deadline on every call, the server checked against the KMS root
/// CA only (host name, chain, special usage <c>kms:rpc</c>), and failures as <see cref="KmsAttemptException"/>.
/// </summary>
internal sealed class KmsRpc(TimeSpan connectTimeout, TimeSpan callTimeout, TimeProvider timeProvider)
{
    /// <summary>Special usage the KMS RPC certificate carries.</summary>
    public const string KmsRpcUsage = "kms:rpc";

    /// <summary>The timeouts of <paramref name="options"/> (<c>KmsConnectTimeoutSeconds</c>, <c>KmsCallTimeoutSeconds</c>).</summary>
    public static KmsRpc From(BootOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new KmsRpc(TimeSpan.FromSeconds(options.KmsConnectTimeoutSeconds), TimeSpan.FromSeconds(options.KmsCallTimeoutSeconds), timeProvider);
    }

    /// <summary>Calls <paramref name="url"/> without checking the server (for the public <c>GetTempCaCert</c> only).</summary>
    public Task<T> CallUncheckedAsync<T>(string url, Uri address, string step, Func<KmsClient, DateTimeOffset, Task<T>> call) =>
        CallAsync(url, step, Client(address, null, (_, _, _) => true), call);

    /// <summary>
    /// Calls <paramref name="url"/> trusting only <paramref name="rootCa"/> for the server; a refused server certificate
    /// is a <see cref="KmsFailureKind.WrongKms"/> failure that says why.
    /// </summary>
    public async Task<T> CallAsync<T>(string url, Uri address, string step, X509Certificate2 rootCa, X509Certificate2? clientCertificate, Func<KmsClient, DateTimeOffset, Task<T>> call)
    {
        string? rejection = null;
        var client = Client(address, clientCertificate, (certificate, chain, errors) =>
        {
            rejection = CheckServerCertificate(certificate, chain, errors, rootCa);
            return rejection is null;
        });
        try
        {
            return await CallAsync(url, step, client, call).ConfigureAwait(false);
        }
        catch (KmsAttemptException ex) when (rejection is not null)
        {
            throw new KmsAttemptException(url, step, KmsFailureKind.WrongKms, "the server certificate is refused: " + rejection, ex);
        }
    }

    /// <summary>The absolute https:// URI of <paramref name="url"/>.</summary>
    /// <exception cref="KmsAttemptException">It is not one.</exception>
    public static Uri ParseUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var address) && address.Scheme == Uri.UriSchemeHttps
            ? address
            : throw new KmsAttemptException(url, "parse URL", KmsFailureKind.WrongKms, "a KMS URL must be an absolute https:// URL");

    /// <summary>Why the KMS server certificate is not acceptable, or null when it is.</summary>
    internal static string? CheckServerCertificate(X509Certificate2 certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2 rootCa)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return "the server presented no certificate";
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return "the server certificate does not name the host of the URL";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(rootCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (!chain.Build(certificate))
        {
            var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()));
            return $"it does not chain to the KMS root CA ({status})";
        }

        try
        {
            var usage = RaTlsCertificate.Parse(certificate).SpecialUsage;
            return usage == KmsRpcUsage ? null : $"its special usage is '{usage ?? "(none)"}', expected '{KmsRpcUsage}'";
        }
        catch (Dstack.Crypto.DstackCryptoException ex)
        {
            return "its RA-TLS extensions are malformed: " + ex.Message;
        }
    }

    private UnaryClient Client(Uri address, X509Certificate2? certificate, Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool> validation) => new(new UnaryClientOptions
    {
        Address = address,
        ClientCertificate = certificate,
        ServerCertificateValidation = validation,
        ConnectTimeout = connectTimeout,
        TimeProvider = timeProvider,
    });

    private async Task<T> CallAsync<T>(string url, string step, UnaryClient client, Func<KmsClient, DateTimeOffset, Task<T>> call)
    {
        using (client)
        {
            try
            {
                return await call(new KmsClient(client), timeProvider.GetUtcNow() + callTimeout).ConfigureAwait(false);
            }
            catch (RpcException ex)
            {
                var kind = ex.StatusCode switch
                {
                    StatusCode.PermissionDenied or StatusCode.Unauthenticated or StatusCode.InvalidArgument or StatusCode.FailedPrecondition => KmsFailureKind.Refused,
                    StatusCode.Unimplemented => KmsFailureKind.WrongKms,
                    _ => KmsFailureKind.Transient,
                };
                throw new KmsAttemptException(url, step, kind, $"{ex.StatusCode}: {ex.Detail}", ex);
            }
        }
    }
}
