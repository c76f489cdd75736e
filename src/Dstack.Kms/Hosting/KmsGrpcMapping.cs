using Dstack.Kms.Service;
using Dstack.Rpc;
using Google.Protobuf;
using Wire = Dstack.Rpc.Kms;

namespace Dstack.Kms.Hosting;

/// <summary>
/// Translates between the transport-independent <see cref="KmsService"/> records and the <c>protos/kms.proto</c> wire
/// messages, and turns a <see cref="KmsRefusal"/> into a gRPC status whose message is the refusal's reason, so that the
/// caller learns why it was refused.
/// </summary>
internal static class KmsGrpcMapping
{
    /// <summary>The gRPC status code of a refusal kind.</summary>
    public static StatusCode ToStatusCode(KmsRefusalKind kind) => kind switch
    {
        KmsRefusalKind.InvalidRequest => StatusCode.InvalidArgument,
        KmsRefusalKind.Unauthenticated => StatusCode.Unauthenticated,
        KmsRefusalKind.Denied => StatusCode.PermissionDenied,
        KmsRefusalKind.BackendUnavailable or KmsRefusalKind.NotReady => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };

    /// <summary>Returns the value of a successful result, or throws the <see cref="RpcException"/> for its refusal.</summary>
    /// <exception cref="RpcException">The service refused the call; the status message is the reason.</exception>
    public static T Unwrap<T>(KmsResult<T> result)
        where T : class
    {
        if (result.IsSuccess)
        {
            return result.Value;
        }

        throw new RpcException(ToStatusCode(result.Refusal.Kind), result.Refusal.Reason);
    }

    /// <summary><c>AppKeyResponse</c>; <c>tproxy_app_id</c> and <c>gateway_app_id</c> both carry the gateway app id.</summary>
    public static Wire.AppKeyResponse ToWire(AppKeyResponse value) => new()
    {
        CaCert = value.CaCert,
        DiskCryptKey = ByteString.CopyFrom(value.DiskCryptKey),
        EnvCryptKey = ByteString.CopyFrom(value.EnvCryptKey),
        K256Key = ByteString.CopyFrom(value.K256Key),
        K256Signature = ByteString.CopyFrom(value.K256Signature),
        TproxyAppId = value.GatewayAppId,
        GatewayAppId = value.GatewayAppId,
        OsImageHash = ByteString.CopyFrom(value.OsImageHash),
    };

    /// <summary><c>PublicKeyResponse</c>.</summary>
    public static Wire.PublicKeyResponse ToWire(EnvEncryptPublicKeyResponse value) => new()
    {
        PublicKey = ByteString.CopyFrom(value.PublicKey),
        Signature = ByteString.CopyFrom(value.Signature),
        Timestamp = value.Timestamp,
        SignatureV1 = ByteString.CopyFrom(value.SignatureV1),
    };

    /// <summary><c>GetMetaResponse</c>; the optional fields are present only when the policy backend reports them.</summary>
    public static Wire.GetMetaResponse ToWire(KmsMetadata value)
    {
        var response = new Wire.GetMetaResponse
        {
            CaCert = value.CaCert,
            AllowAnyUpgrade = value.AllowAnyUpgrade,
            K256Pubkey = ByteString.CopyFrom(value.K256PublicKey),
            IsDev = value.IsDev,
        };
        if (value.Bootstrap is { } bootstrap)
        {
            response.BootstrapInfo = new Wire.BootstrapResponse
            {
                CaPubkey = ByteString.CopyFrom(bootstrap.CaPublicKey),
                K256Pubkey = ByteString.CopyFrom(bootstrap.K256PublicKey),
                Attestation = ByteString.CopyFrom(bootstrap.Attestation),
            };
        }

        if (value.GatewayAppId is { } gateway)
        {
            response.GatewayAppId = gateway;
        }

        if (value.KmsContractAddress is { } contract)
        {
            response.KmsContractAddress = contract;
        }

        if (value.ChainId is { } chainId)
        {
            response.ChainId = chainId;
        }

        if (value.AppAuthImplementation is { } implementation)
        {
            response.AppAuthImplementation = implementation;
        }

        return response;
    }

    /// <summary><c>GetTempCaCertResponse</c>.</summary>
    public static Wire.GetTempCaCertResponse ToWire(TempCaCertResponse value) => new()
    {
        TempCaCert = value.TempCaCert,
        TempCaKey = value.TempCaKey,
        CaCert = value.CaCert,
    };

    /// <summary><c>SignCertResponse</c>.</summary>
    public static Wire.SignCertResponse ToWire(SignCertResponse value)
    {
        var response = new Wire.SignCertResponse();
        response.CertificateChain.AddRange(value.CertificateChain);
        return response;
    }

    /// <summary><c>KmsKeyResponse</c>.</summary>
    public static Wire.KmsKeyResponse ToWire(KmsKeyResponse value)
    {
        var response = new Wire.KmsKeyResponse { TempCaKey = value.TempCaKey };
        response.Keys.AddRange(value.Keys.Select(k => new Wire.KmsKeys { CaKey = k.CaKey, K256Key = ByteString.CopyFrom(k.K256Key) }));
        return response;
    }
}
