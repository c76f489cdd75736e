using System.Security.Cryptography.X509Certificates;

namespace Dstack.Kms.Service;

/// <summary><c>GetAppKey</c> input: the caller's RA-TLS client certificate plus the request fields.</summary>
/// <param name="ClientCertificate">The TLS client certificate, or null when the caller presented none.</param>
/// <param name="ApiVersion"><c>api_version</c>; 0 or 1.</param>
/// <param name="VmConfig"><c>vm_config</c> JSON; empty = use the attestation's embedded config.</param>
internal sealed record AppKeyRequest(X509Certificate2? ClientCertificate, uint ApiVersion, string VmConfig);
