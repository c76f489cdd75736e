namespace Dstack.Kms.Service;

/// <summary><c>SignCert</c> input.</summary>
/// <param name="ApiVersion">2 (CSR v2); 1 (CSR v1) is not supported.</param>
/// <param name="Csr">SCALE <c>CertSigningRequestV2</c>.</param>
/// <param name="Signature">DER ECDSA P-256/SHA-256 signature over <paramref name="Csr"/>.</param>
/// <param name="VmConfig"><c>vm_config</c> JSON; empty = use the attestation's.</param>
internal sealed record SignCertRequest(uint ApiVersion, byte[] Csr, byte[] Signature, string VmConfig);
