namespace Dstack.Kms.Service;

/// <summary><c>GetKmsKey</c> output: the temp CA key and exactly one root key set.</summary>
/// <param name="TempCaKey">Temp CA private key PEM.</param>
/// <param name="Keys">Exactly one key set.</param>
internal sealed record KmsKeyResponse(string TempCaKey, IReadOnlyList<KmsKeySet> Keys);
