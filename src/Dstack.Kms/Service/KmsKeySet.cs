namespace Dstack.Kms.Service;

/// <summary>One set of root keys (wire message <c>KmsKeys</c>).</summary>
/// <param name="CaKey">Root CA private key, PKCS#8 PEM.</param>
/// <param name="K256Key">Raw 32-byte k256 root scalar.</param>
internal sealed record KmsKeySet(string CaKey, byte[] K256Key);
