namespace Dstack.Ethereum.Rpc;

/// <summary>
/// No usable answer from any RPC endpoint: connection failure, timeout, HTTP error status, oversize or malformed
/// response. Callers making authorization decisions must treat this as "backend unavailable" and refuse.
/// </summary>
public sealed class EthereumTransportException : EthereumException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed (endpoint URLs are not included, as they may carry API keys).</param>
    /// <param name="innerException">The underlying error.</param>
    public EthereumTransportException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
