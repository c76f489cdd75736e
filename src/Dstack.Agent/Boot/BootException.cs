namespace Dstack.Agent.Boot;

/// <summary>A boot step failed; the message names the step and says why. Never carries key material.</summary>
internal sealed class BootException : Exception
{
    /// <summary>Creates the exception for <paramref name="step"/>.</summary>
    public BootException(string step, string reason, Exception? innerException = null)
        : base($"boot step '{step}' failed: {reason}", innerException)
    {
        Step = step;
        Reason = reason;
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public BootException()
        : this("boot", "failed")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public BootException(string message)
        : this("boot", message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public BootException(string message, Exception innerException)
        : this("boot", message, innerException)
    {
    }

    /// <summary>The step that failed.</summary>
    public string Step { get; }

    /// <summary>Why it failed.</summary>
    public string Reason { get; }
}
