namespace Dstack.Ethereum.Abi;

/// <summary>A value cannot be ABI-encoded, or ABI data is malformed; the message names the parameter.</summary>
public sealed class AbiException : EthereumException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and with which parameter.</param>
    public AbiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong and with which parameter.</param>
    /// <param name="innerException">The underlying error.</param>
    public AbiException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
