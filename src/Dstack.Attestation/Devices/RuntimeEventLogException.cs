namespace Dstack.Attestation.Devices;

/// <summary>
/// The runtime event log refuses an operation: it is full (one more event would make quotes unverifiable), or it does
/// not replay to RTMR3 (an append failed after an extend), so no quote may be served with it. The message says which.
/// </summary>
public sealed class RuntimeEventLogException : InvalidOperationException
{
    /// <summary>Creates an exception with no message.</summary>
    public RuntimeEventLogException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public RuntimeEventLogException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public RuntimeEventLogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
