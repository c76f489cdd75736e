using Dstack.Rpc.Client;
using Google.Protobuf.WellKnownTypes;

namespace Dstack.Rpc.Kms;

/// <summary>Typed calls to <c>service KMS</c>, one method per RPC, over any <see cref="IUnaryInvoker"/>.</summary>
public sealed class KmsClient
{
    private readonly IUnaryInvoker _invoker;

    /// <summary>Creates a typed client over a transport (usually a <see cref="UnaryClient"/> with RA-TLS options).</summary>
    /// <param name="invoker">The transport.</param>
    public KmsClient(IUnaryInvoker invoker)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        _invoker = invoker;
    }

    /// <summary>Calls <c>GetAppKey</c>.</summary>
    /// <param name="request">The API version and VM config.</param>
    /// <param name="deadline">When the call must be over; null for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The app keys.</returns>
    public Task<AppKeyResponse> GetAppKeyAsync(GetAppKeyRequest request, DateTimeOffset? deadline = null, CancellationToken cancellationToken = default) =>
        _invoker.CallAsync(KmsMethods.GetAppKey, request, deadline, cancellationToken);

    /// <summary>Calls <c>GetAppEnvEncryptPubKey</c>.</summary>
    /// <param name="request">The 20-byte app id.</param>
    /// <param name="deadline">When the call must be over; null for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The public key and its signatures.</returns>
    public Task<PublicKeyResponse> GetAppEnvEncryptPubKeyAsync(AppId request, DateTimeOffset? deadline = null, CancellationToken cancellationToken = default) =>
        _invoker.CallAsync(KmsMethods.GetAppEnvEncryptPubKey, request, deadline, cancellationToken);

    /// <summary>Calls <c>GetMeta</c>.</summary>
    /// <param name="deadline">When the call must be over; null for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The KMS metadata.</returns>
    public Task<GetMetaResponse> GetMetaAsync(DateTimeOffset? deadline = null, CancellationToken cancellationToken = default) =>
        _invoker.CallAsync(KmsMethods.GetMeta, new Empty(), deadline, cancellationToken);

    /// <summary>Calls <c>GetTempCaCert</c>.</summary>
    /// <param name="deadline">When the call must be over; null for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The temporary CA certificate and key, and the root CA certificate.</returns>
    public Task<GetTempCaCertResponse> GetTempCaCertAsync(DateTimeOffset? deadline = null, CancellationToken cancellationToken = default) =>
        _invoker.CallAsync(KmsMethods.GetTempCaCert, new Empty(), deadline, cancellationToken);

    /// <summary>Calls <c>SignCert</c>.</summary>
    /// <param name="request">The CSR and its signature.</param>
    /// <param name="deadline">When the call must be over; null for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The certificate chain.</returns>
    public Task<SignCertResponse> SignCertAsync(SignCertRequest request, DateTimeOffset? deadline = null, CancellationToken cancellationToken = default) =>
        _invoker.CallAsync(KmsMethods.SignCert, request, deadline, cancellationToken);

    /// <summary>Calls <c>GetKmsKey</c>.</summary>
    /// <param name="request">The caller's VM config.</param>
    /// <param name="deadline">When the call must be over; null for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The root keys.</returns>
    public Task<KmsKeyResponse> GetKmsKeyAsync(GetKmsKeyRequest request, DateTimeOffset? deadline = null, CancellationToken cancellationToken = default) =>
        _invoker.CallAsync(KmsMethods.GetKmsKey, request, deadline, cancellationToken);
}
