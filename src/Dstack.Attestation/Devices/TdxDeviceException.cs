namespace Dstack.Attestation.Devices;

/// <summary>A TDX device operation failed; the message names the path or interface and the problem.</summary>
public sealed class TdxDeviceException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public TdxDeviceException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public TdxDeviceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public TdxDeviceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
