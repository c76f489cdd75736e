namespace Dstack.Attestation.Dcap.Pccs;

/// <summary>Collateral could not be fetched from a PCCS or Intel PCS; the message names the URL or the item and why.</summary>
public sealed class PccsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PccsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public PccsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PccsException()
    {
    }
}
