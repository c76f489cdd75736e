namespace Dstack.Attestation.OsImage;

/// <summary>
/// Thrown by the OS-image verification core (spec os-image-verification §1, §3) when an input is malformed or a
/// computation step fails. The message is the spec's reason text, already wrapped with the context of the step.
/// </summary>
public sealed class OsImageException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public OsImageException()
    {
    }

    /// <summary>Creates an exception carrying the spec's reason text.</summary>
    public OsImageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a reason and the underlying cause.</summary>
    public OsImageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A new exception whose message is <c>&lt;context&gt;: &lt;this message&gt;</c>.</summary>
    internal OsImageException Wrap(string context) => new($"{context}: {Message}", this);
}
