namespace Dstack.Attestation.EventLog;

/// <summary>Thrown when an event log (CCEL, runtime log or JSON) is malformed, exceeds a limit or fails a consistency check.</summary>
public sealed class EventLogFormatException : FormatException
{
    /// <summary>Creates an exception with no message.</summary>
    public EventLogFormatException()
    {
    }

    /// <summary>Creates an exception with a message naming the record, offset or field that is wrong.</summary>
    public EventLogFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the underlying cause.</summary>
    public EventLogFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
