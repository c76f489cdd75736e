namespace Dstack.Crypto.EnvEncryption;

/// <summary>An encrypted environment could not be decrypted or accepted. Never carries secret values.</summary>
public sealed class EnvEncryptionException : Exception
{
    /// <summary>Creates an exception with no detail.</summary>
    public EnvEncryptionException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">Description.</param>
    public EnvEncryptionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">Description.</param>
    /// <param name="innerException">Cause.</param>
    public EnvEncryptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception of a given kind.</summary>
    /// <param name="error">The kind.</param>
    /// <param name="message">Description (no secret values).</param>
    /// <param name="innerException">Optional cause.</param>
    public EnvEncryptionException(EnvEncryptionError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>The kind of failure.</summary>
    public EnvEncryptionError Error { get; }
}
