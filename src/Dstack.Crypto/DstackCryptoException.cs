namespace Dstack.Crypto;

/// <summary>
/// A request could not be served by the crypto layer (unsupported algorithm, malformed input, invalid derived
/// key). The message is safe to show to the caller and never contains key material.
/// </summary>
public sealed class DstackCryptoException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public DstackCryptoException()
    {
    }

    /// <summary>Creates an exception with a caller-safe message.</summary>
    /// <param name="message">Text that may be returned to an API client as is.</param>
    public DstackCryptoException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a caller-safe message and the underlying cause.</summary>
    /// <param name="message">Text that may be returned to an API client as is.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DstackCryptoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
