namespace Dstack.Kms.Service;

/// <summary><c>SignCert</c> output.</summary>
/// <param name="CertificateChain">PEMs: leaf, app CA, root CA.</param>
internal sealed record SignCertResponse(IReadOnlyList<string> CertificateChain);
