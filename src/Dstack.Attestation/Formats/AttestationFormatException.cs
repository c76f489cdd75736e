namespace Dstack.Attestation.Formats;

/// <summary>Thrown when an attestation (V0 SCALE, V1 msgpack) or a replay input cannot be decoded; the message names the field and offset.</summary>
public sealed class AttestationFormatException : FormatException
{
    /// <summary>Creates an exception with no message.</summary>
    public AttestationFormatException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public AttestationFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public AttestationFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
