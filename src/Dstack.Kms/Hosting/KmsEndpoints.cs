using Dstack.Kms.Service;
using KmsMethods = Dstack.Rpc.Kms.KmsMethods;
using Dstack.Rpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static Dstack.Kms.Hosting.KmsGrpcMapping;

namespace Dstack.Kms.Hosting;

/// <summary>
/// The HTTP surface of the KMS listener: <c>GET /health</c> (200 <c>OK</c>, or 503 with the reason while this KMS is
/// not self-authorized) and the gRPC service <c>kms.KMS</c> of
/// <c>protos/kms.proto</c> (transport <c>Dstack.Rpc</c>), one thin mapping per RPC from the wire messages to
/// <see cref="KmsService"/> and from a <see cref="KmsRefusal"/> to a gRPC status (<see cref="KmsGrpcMapping"/>).
/// </summary>
/// <remarks>
/// Who may call what (kms.md §1.3): <c>GetMeta</c>, <c>GetAppEnvEncryptPubKey</c> and <c>GetTempCaCert</c> are public;
/// <c>GetAppKey</c> and <c>GetKmsKey</c> authenticate the caller by the attestation inside its RA-TLS client certificate
/// (the listener only checks that the certificate chains to the temp CA); <c>SignCert</c> carries its attestation in
/// the CSR. <c>GetTempCaCert</c> hands the temp CA <em>private key</em> to anyone, as the reference KMS does: it is
/// bootstrap material that lets a guest mint a client certificate the TLS layer accepts, and it grants nothing by
/// itself, because every key release verifies the quote, its binding to the certificate key, and the policy.
/// </remarks>
internal static class KmsEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapKmsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var service = endpoints.ServiceProvider.GetRequiredService<KmsService>();
        var self = endpoints.ServiceProvider.GetRequiredService<Authorization.SelfAuthorization>();
        // 200 OK while key releases are served; 503 with the self-authorization refusal while they are not
        endpoints.MapGet("/health", () => self.Refusal is { } refusal
            ? Results.Text(refusal.Reason, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("OK"));
        endpoints.MapGrpcUnary(new GrpcServerOptions())
            .MapUnary(KmsMethods.GetAppKey, async (request, context) => ToWire(Unwrap(await service.GetAppKeyAsync(
                new AppKeyRequest(context.ClientCertificate, request.ApiVersion, request.VmConfig), context.CancellationToken).ConfigureAwait(false))))
            .MapUnary(KmsMethods.GetAppEnvEncryptPubKey, (request, _) =>
                Task.FromResult(ToWire(Unwrap(service.GetAppEnvEncryptPublicKey(request.AppId_.ToByteArray())))))
            .MapUnary(KmsMethods.GetMeta, async (_, context) =>
                ToWire(Unwrap(await service.GetMetaAsync(context.CancellationToken).ConfigureAwait(false))))
            .MapUnary(KmsMethods.GetTempCaCert, (_, _) => Task.FromResult(ToWire(Unwrap(service.GetTempCaCert()))))
            .MapUnary(KmsMethods.SignCert, async (request, context) => ToWire(Unwrap(await service.SignCertAsync(
                new SignCertRequest(request.ApiVersion, request.Csr.ToByteArray(), request.Signature.ToByteArray(), request.VmConfig),
                context.CancellationToken).ConfigureAwait(false))))
            .MapUnary(KmsMethods.GetKmsKey, async (request, context) => ToWire(Unwrap(await service.GetKmsKeyAsync(
                new KmsKeyRequest(context.ClientCertificate, request.VmConfig), context.CancellationToken).ConfigureAwait(false))));
        return endpoints;
    }
}
