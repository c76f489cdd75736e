namespace Dstack.Kms.Hosting;

/// <summary>The KMS cannot start (configuration file, key store, trust root); the message says why.</summary>
internal sealed class KmsStartupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KmsStartupException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public KmsStartupException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public KmsStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
