namespace Dstack.Ethereum;

/// <summary>Base class of every error raised by this library; callers that must fail closed can catch this one type.</summary>
public abstract class EthereumException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong; never contains key material.</param>
    protected EthereumException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong; never contains key material.</param>
    /// <param name="innerException">The underlying error.</param>
    protected EthereumException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
