namespace Dstack.Crypto.EnvEncryption;

/// <summary>One <c>{"key":…,"value":…}</c> entry of an encrypted environment.</summary>
/// <param name="Key">Variable name.</param>
/// <param name="Value">Variable value.</param>
public readonly record struct EnvVariable(string Key, string Value);
