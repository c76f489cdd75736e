namespace Dstack.Kms.Service;

/// <summary><c>GetTempCaCert</c> output; the temp CA key is public by design (kms.md §1.3).</summary>
/// <param name="TempCaCert">Temp CA certificate PEM.</param>
/// <param name="TempCaKey">Temp CA private key PEM.</param>
/// <param name="CaCert">Root CA certificate PEM.</param>
internal sealed record TempCaCertResponse(string TempCaCert, string TempCaKey, string CaCert);
