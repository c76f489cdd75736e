namespace Dstack.Crypto.EnvEncryption;

/// <summary>Why an encrypted environment could not be used.</summary>
public enum EnvEncryptionError
{
    /// <summary>The env secret or a public key is not 32 bytes.</summary>
    InvalidKey,

    /// <summary>The blob is shorter than 32 + 12 bytes (+ the 16-byte tag).</summary>
    TooShort,

    /// <summary>The X25519 shared secret is all zero.</summary>
    ZeroSharedSecret,

    /// <summary>AES-GCM authentication failed (wrong key or tampered data).</summary>
    AuthenticationFailed,

    /// <summary>The plaintext is not a <c>{"env":[{"key":…,"value":…}]}</c> document.</summary>
    InvalidJson,

    /// <summary>More than 1024 items.</summary>
    TooManyItems,

    /// <summary>A kept key is empty, longer than 255 bytes or does not match <c>^[a-zA-Z_][a-zA-Z0-9_]*$</c>.</summary>
    InvalidName,

    /// <summary>A kept value is longer than 128 KiB.</summary>
    ValueTooLong,

    /// <summary>Kept keys and values exceed 1 MiB in total.</summary>
    TooLarge,
}
