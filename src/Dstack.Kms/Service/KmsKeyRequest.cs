using System.Security.Cryptography.X509Certificates;

namespace Dstack.Kms.Service;

/// <summary><c>GetKmsKey</c> input: the peer KMS's RA-TLS client certificate and its <c>vm_config</c>.</summary>
/// <param name="ClientCertificate">The TLS client certificate, or null.</param>
/// <param name="VmConfig"><c>vm_config</c> JSON of the peer.</param>
internal sealed record KmsKeyRequest(X509Certificate2? ClientCertificate, string VmConfig);
