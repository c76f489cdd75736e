using Google.Protobuf.WellKnownTypes;

namespace Dstack.Rpc.Kms;

/// <summary>The methods of <c>service KMS</c> in <c>protos/kms.proto</c>.</summary>
public static class KmsMethods
{
    /// <summary>The fully qualified service name.</summary>
    public const string ServiceName = "kms.KMS";

    /// <summary>App keys for the attested caller.</summary>
    public static UnaryMethod<GetAppKeyRequest, AppKeyResponse> GetAppKey { get; } = new(ServiceName, "GetAppKey");

    /// <summary>The signed env-encryption public key of an app.</summary>
    public static UnaryMethod<AppId, PublicKeyResponse> GetAppEnvEncryptPubKey { get; } = new(ServiceName, "GetAppEnvEncryptPubKey");

    /// <summary>Root CA, k256 root public key and policy facts.</summary>
    public static UnaryMethod<Empty, GetMetaResponse> GetMeta { get; } = new(ServiceName, "GetMeta");

    /// <summary>The temporary CA for RA-TLS client certificates.</summary>
    public static UnaryMethod<Empty, GetTempCaCertResponse> GetTempCaCert { get; } = new(ServiceName, "GetTempCaCert");

    /// <summary>Signs an app certificate from an attested CSR.</summary>
    public static UnaryMethod<SignCertRequest, SignCertResponse> SignCert { get; } = new(ServiceName, "SignCert");

    /// <summary>Root keys for an allowed KMS instance.</summary>
    public static UnaryMethod<GetKmsKeyRequest, KmsKeyResponse> GetKmsKey { get; } = new(ServiceName, "GetKmsKey");
}
