namespace Dstack.Kms.Keys;

/// <summary>The root-key store is missing, partial, corrupt or already initialised; the message names the file.</summary>
internal sealed class KeyStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KeyStoreException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public KeyStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public KeyStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
