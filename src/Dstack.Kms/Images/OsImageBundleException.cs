namespace Dstack.Kms.Images;

/// <summary>An OS-image bundle could not be obtained or is invalid; the message is meant for the caller (a refusal reason).</summary>
internal sealed class OsImageBundleException : Exception
{
    /// <summary>Creates an exception.</summary>
    public OsImageBundleException()
        : this("OS image bundle unavailable")
    {
    }

    /// <summary>Creates an exception with a caller-facing message.</summary>
    public OsImageBundleException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a caller-facing message and its cause.</summary>
    public OsImageBundleException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
