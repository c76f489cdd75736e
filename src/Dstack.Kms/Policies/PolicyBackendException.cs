namespace Dstack.Kms.Policies;

/// <summary>A policy backend cannot be used (unreadable policy file at start, unreachable webhook for info).</summary>
internal sealed class PolicyBackendException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PolicyBackendException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public PolicyBackendException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PolicyBackendException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
